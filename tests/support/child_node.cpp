#include "tether/tests/support/child_node.hpp"

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <poll.h>
#include <stdexcept>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tether/tests/support/test_threads.hpp"

namespace tether::test {

namespace {

void make_pipe(int (&fds)[2]) {
  // Close-on-exec: another node started later must not hold this pipe.
  if (pipe2(fds, O_CLOEXEC) != 0)
    throw std::runtime_error("pipe failed");
}

} // namespace

child_node::child_node(const std::vector<std::string>& args,
                       child_options opts) {
  // Everything the child needs is made before fork: between fork and exec
  // it only calls async-signal-safe functions.
  std::string bin = TETHER_NODE_BIN;
  std::vector<std::string> copy = with_test_threads(args);
  std::vector<char*> argv;
  argv.push_back(bin.data());
  for (auto& a : copy)
    argv.push_back(a.data());
  argv.push_back(nullptr);
  struct rlimit fsize = {};
  bool set_fsize = false;
  if (opts.file_size_limit) {
    getrlimit(RLIMIT_FSIZE, &fsize);
    fsize.rlim_cur = static_cast<rlim_t>(*opts.file_size_limit);
    set_fsize = true;
  }
  int out[2];
  int err[2] = {-1, -1};
  make_pipe(out);
  if (opts.capture_stderr)
    make_pipe(err);
  auto parent = getpid();
  pid_ = fork();
  if (pid_ < 0)
    throw std::runtime_error("fork failed");
  if (pid_ == 0) {
    // A test that dies (abort, a signal) takes its node with it, instead
    // of leaving it running. (Tied to the thread that forked: start nodes
    // from threads that outlive them.)
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent)
      _exit(125);
    dup2(out[1], STDOUT_FILENO);
    if (err[1] >= 0)
      dup2(err[1], STDERR_FILENO);
    if (set_fsize && setrlimit(RLIMIT_FSIZE, &fsize) != 0)
      _exit(126);
    execv(bin.c_str(), argv.data());
    _exit(127);
  }
  close(out[1]);
  out_fd_ = out[0];
  if (err[0] >= 0) {
    close(err[1]);
    int fd = err[0];
    err_reader_ = std::thread{[this, fd] {
      char buf[4096];
      while (true) {
        auto n = ::read(fd, buf, sizeof(buf));
        if (n < 0 && errno == EINTR)
          continue;
        if (n <= 0)
          break;
        std::lock_guard<std::mutex> guard{err_mtx_};
        err_text_.append(buf, static_cast<size_t>(n));
      }
      ::close(fd);
    }};
  }
}

child_node::~child_node() {
  if (pid_ > 0) {
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
  if (err_reader_.joinable())
    err_reader_.join();
  if (out_fd_ >= 0)
    close(out_fd_);
}

std::string child_node::next_line() {
  return next_line(std::chrono::milliseconds::max());
}

std::string child_node::next_line(std::chrono::milliseconds timeout) {
  using clock = std::chrono::steady_clock;
  bool forever = timeout == std::chrono::milliseconds::max();
  auto until = forever ? clock::time_point::max() : clock::now() + timeout;
  while (true) {
    if (auto nl = out_buffer_.find('\n'); nl != std::string::npos) {
      auto line = out_buffer_.substr(0, nl + 1);
      out_buffer_.erase(0, nl + 1);
      return line;
    }
    if (out_ended_ || out_fd_ < 0)
      return std::exchange(out_buffer_, {});
    int wait_ms = -1;
    if (!forever) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          until - clock::now());
      if (left.count() <= 0)
        return {};
      wait_ms = static_cast<int>(left.count());
    }
    pollfd p{out_fd_, POLLIN, 0};
    auto ready = ::poll(&p, 1, wait_ms);
    if (ready < 0 && errno == EINTR)
      continue;
    if (ready <= 0)
      continue; // The deadline is checked above.
    char buf[512];
    auto n = ::read(out_fd_, buf, sizeof(buf));
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      out_ended_ = true;
    else
      out_buffer_.append(buf, static_cast<size_t>(n));
  }
}

std::optional<client::endpoint>
child_node::listening(std::chrono::milliseconds timeout) {
  const std::string prefix = "tether-node listening on ";
  auto line = next_line(timeout);
  if (line.rfind(prefix, 0) != 0)
    return std::nullopt;
  auto url = line.substr(prefix.size());
  url.erase(url.find_last_not_of("\r\n") + 1);
  return client::parse_url(url);
}

void child_node::signal(int sig) {
  if (pid_ > 0)
    kill(pid_, sig);
}

void child_node::reap(int status) {
  pid_ = -1;
  exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  end_signal_ = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
  // The node's stderr ends with it: everything it wrote is read now.
  if (err_reader_.joinable())
    err_reader_.join();
}

int child_node::wait_exit() {
  if (pid_ <= 0)
    return exit_code_;
  int status = 0;
  while (waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
  }
  reap(status);
  return exit_code_;
}

std::optional<int> child_node::wait_exit(std::chrono::milliseconds timeout) {
  if (pid_ <= 0)
    return exit_code_;
  auto until = std::chrono::steady_clock::now() + timeout;
  while (true) {
    int status = 0;
    auto r = waitpid(pid_, &status, WNOHANG);
    if (r == pid_) {
      reap(status);
      return exit_code_;
    }
    if (r < 0 && errno != EINTR)
      return std::nullopt;
    if (std::chrono::steady_clock::now() >= until)
      return std::nullopt;
    std::this_thread::sleep_for(std::chrono::milliseconds{5});
  }
}

bool child_node::limit_file_size(std::optional<uint64_t> bytes) {
  if (pid_ <= 0)
    return false;
  struct rlimit now = {};
  if (prlimit(pid_, RLIMIT_FSIZE, nullptr, &now) != 0)
    return false;
  now.rlim_cur = bytes ? static_cast<rlim_t>(*bytes) : now.rlim_max;
  return prlimit(pid_, RLIMIT_FSIZE, &now, nullptr) == 0;
}

bool child_node::handles(int sig) const {
  if (pid_ <= 0 || sig < 1 || sig > 64)
    return false;
  std::ifstream in{"/proc/" + std::to_string(pid_) + "/status"};
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("SigCgt:", 0) != 0)
      continue;
    auto mask = std::stoull(line.substr(7), nullptr, 16);
    return (mask >> (sig - 1)) & 1;
  }
  return false;
}

std::string child_node::error_output() const {
  std::lock_guard<std::mutex> guard{err_mtx_};
  return err_text_;
}

} // namespace tether::test
