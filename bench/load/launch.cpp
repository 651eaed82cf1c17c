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

  std::string got;
  for (;;) {
    auto left_ms =
        static_cast<int>((limit_s - seconds_since(out.exec_at)) * 1e3);
    if (left_ms <= 0) {
      why = "no URL on its stdout within " + std::to_string(limit_s) + " s";
      break;
    }
    pollfd p{out.stdout_fd, POLLIN, 0};
    if (poll(&p, 1, left_ms) <= 0)
      continue;
    char buf[4096];
    auto n = read(out.stdout_fd, buf, sizeof buf);
    if (n <= 0) {
      why = "it ended before naming a URL";
      break;
    }
    got.append(buf, static_cast<size_t>(n));
    auto eol = got.find('\n');
    if (eol == std::string::npos)
      continue;
    out.listening_at = clock::now();
    auto line = got.substr(0, eol);
    auto at = line.find("ws://");
    if (at == std::string::npos) {
      why = "its first line names no URL: " + line;
      break;
    }
    auto to = line.find_first_of(" \t\r", at);
    out.url = line.substr(at, to == std::string::npos ? to : to - at);
    return true;
  }
  double ignored = 0;
  stop(out, 1, ignored);
  return false;
}

int stop(launched& node, double limit_s, double& took_s) {
  took_s = 0;
  if (node.pid <= 0)
    return -1;
  auto t0 = clock::now();
  kill(node.pid, SIGTERM);
  int status = 0;
  bool gone = false;
  while (!gone && seconds_since(t0) < limit_s) {
    auto r = waitpid(node.pid, &status, WNOHANG);
    gone = r == node.pid || (r < 0 && errno != EINTR);
    if (!gone)
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  took_s = seconds_since(t0);
  if (!gone) {
    kill(node.pid, SIGKILL);
    waitpid(node.pid, &status, 0);
    status = -1;
  }
  if (node.stdout_fd >= 0)
    close(node.stdout_fd);
  node.stdout_fd = -1;
  node.pid = 0;
  if (status == -1 || !WIFEXITED(status))
    return -1;
  return WEXITSTATUS(status);
}

} // namespace tether::bench
