#include "probe.hpp"

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <string>
#include <tuple>
#include <utility>

namespace tether::bench {

namespace {

double ticks_to_s(uint64_t ticks) {
  static const double per_s = static_cast<double>(sysconf(_SC_CLK_TCK));
  return static_cast<double>(ticks) / per_s;
}

/// utime + stime from /proc/PID/stat: fields 14 and 15, counted after the
/// ")" that ends the command name (which may itself hold spaces).
double process_cpu_s(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string all((std::istreambuf_iterator<char>(in)), {});
  auto close = all.rfind(')');
  if (close == std::string::npos)
    return 0;
  std::istringstream rest(all.substr(close + 2));
  std::string field;
  uint64_t utime = 0, stime = 0;
  for (int i = 3; i <= 15 && rest >> field; ++i) {
    if (i == 14)
      utime = std::stoull(field);
    else if (i == 15)
      stime = std::stoull(field);
  }
  return ticks_to_s(utime + stime);
}

uint64_t process_rss_kb(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("VmRSS:", 0) == 0)
      return std::stoull(line.substr(6));
  return 0;
}

/// user + nice + system + irq + softirq of every core, and steal.
std::pair<double, double> machine_busy_and_steal_s() {
  std::ifstream in("/proc/stat");
  std::string cpu;
  uint64_t user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0,
           softirq = 0, steal = 0;
  in >> cpu >> user >> nice >> system >> idle >> iowait >> irq >> softirq >>
      steal;
  return {ticks_to_s(user + nice + system + irq + softirq), ticks_to_s(steal)};
}

double own_cpu_s() {
  rusage r{};
  getrusage(RUSAGE_SELF, &r);
  return static_cast<double>(r.ru_utime.tv_sec + r.ru_stime.tv_sec) +
         static_cast<double>(r.ru_utime.tv_usec + r.ru_stime.tv_usec) / 1e6;
}

} // namespace

sample probe::take() const {
  sample s;
  s.at = std::chrono::steady_clock::now();
  for (auto pid : servers_) {
    if (pid <= 0)
      continue;
    s.server_cpu_s += process_cpu_s(pid);
    s.server_rss_kb += process_rss_kb(pid);
  }
  std::tie(s.box_cpu_s, s.steal_s) = machine_busy_and_steal_s();
  s.self_cpu_s = own_cpu_s();
  return s;
}

interval probe::between(const sample& a, const sample& b) {
  interval i;
  i.wall_s = std::chrono::duration<double>(b.at - a.at).count();
  i.server_cpu_s = b.server_cpu_s - a.server_cpu_s;
  i.self_cpu_s = b.self_cpu_s - a.self_cpu_s;
  i.steal_s = b.steal_s - a.steal_s;
  i.other_cpu_s = std::max(0.0, (b.box_cpu_s - a.box_cpu_s) - i.server_cpu_s -
                                    i.self_cpu_s);
  return i;
}

} // namespace tether::bench
