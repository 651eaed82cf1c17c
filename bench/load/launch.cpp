// Starting and stopping a node from the generator itself, so that the
// restart case times the node from its exec on, not from when a script
// noticed it.

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <sstream>
#include <thread>

#include "context.hpp"

namespace tether::bench {

namespace {

using clock = std::chrono::steady_clock;

double seconds_since(clock::time_point t) {
  return std::chrono::duration<double>(clock::now() - t).count();
}

} // namespace

bool launch(const options& opt, double limit_s, launched& out,
            std::string& why) {
  std::vector<std::string> words;
  std::istringstream in(opt.exec);
  for (std::string w; in >> w;)
    words.push_back(w);
  if (words.empty()) {
    why = "--exec names no command";
    return false;
  }
  std::vector<char*> argv;
  for (auto& w : words)
    argv.push_back(w.data());
  argv.push_back(nullptr);
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) {
    why = std::string{"pipe: "} + std::strerror(errno);
    return false;
  }
  int log_fd = -1;
  if (!opt.exec_log.empty())
    log_fd = open(opt.exec_log.c_str(),
                  O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  auto parent = getpid();
  out.exec_at = clock::now();
  auto pid = fork();
  if (pid < 0) {
    why = std::string{"fork: "} + std::strerror(errno);
    return false;
  }
  if (pid == 0) {
    // The node dies with the generator, whatever ends it.
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent)
      _exit(127);
    dup2(fds[1], STDOUT_FILENO);
    if (log_fd >= 0)
      dup2(log_fd, STDERR_FILENO);
    execvp(argv[0], argv.data());
    _exit(127);
  }
  close(fds[1]);
  if (log_fd >= 0)
    close(log_fd);
  out.pid = pid;
  out.stdout_fd = fds[0];

  auto give_up = [&] {
    double ignored = 0;
    stop(out, 1, ignored);
    return false;
  };
  std::string line;
  if (!next_line(out, limit_s - seconds_since(out.exec_at), line, why))
    return give_up();
  out.listening_at = clock::now();
  auto at = line.find("wss://");
  if (at == std::string::npos)
    at = line.find("ws://");
  if (at == std::string::npos) {
    why = "its first line names no URL: " + line;
    return give_up();
  }
  auto to = line.find_first_of(" \t\r", at);
  out.url = line.substr(at, to == std::string::npos ? to : to - at);
  return true;
}

bool next_line(launched& node, double limit_s, std::string& line,
               std::string& why) {
  auto from = clock::now();
  for (;;) {
    auto eol = node.stdout_pending.find('\n');
    if (eol != std::string::npos) {
      line = node.stdout_pending.substr(0, eol);
      node.stdout_pending.erase(0, eol + 1);
      return true;
    }
    auto left_ms = static_cast<int>((limit_s - seconds_since(from)) * 1e3);
    if (left_ms <= 0) {
      why = "no line on its stdout within " + std::to_string(limit_s) + " s";
      return false;
    }
    pollfd p{node.stdout_fd, POLLIN, 0};
    if (poll(&p, 1, left_ms) <= 0)
      continue;
    char buf[4096];
    auto n = read(node.stdout_fd, buf, sizeof buf);
    if (n <= 0) {
      why = "it ended before printing a line";
      return false;
    }
    node.stdout_pending.append(buf, static_cast<size_t>(n));
  }
}

bool ended(launched& node, int& status) {
  if (node.pid <= 0)
    return true;
  int raw = 0;
  auto r = waitpid(node.pid, &raw, WNOHANG);
  if (r == 0 || (r < 0 && errno == EINTR))
    return false;
  status = r == node.pid && WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
  if (node.stdout_fd >= 0)
    close(node.stdout_fd);
  node.stdout_fd = -1;
  node.pid = 0;
  return true;
}

int stop(launched& node, double limit_s, double& took_s) {
  took_s = 0;
  if (node.pid <= 0)
    return -1;
  auto t0 = clock::now();
  auto pid = node.pid;
  kill(pid, SIGTERM);
  int status = -1;
  while (!ended(node, status) && seconds_since(t0) < limit_s)
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  took_s = seconds_since(t0);
  if (node.pid <= 0)
    return status;
  kill(pid, SIGKILL);
  while (!ended(node, status))
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  return -1;
}

} // namespace tether::bench
