#include "tests/support/child_node.hpp"

#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <stdexcept>
#include <sys/wait.h>
#include <unistd.h>

namespace tether::test {

child_node::child_node(const std::vector<std::string>& args) {
  int fds[2];
  if (pipe(fds) != 0)
    throw std::runtime_error("pipe failed");
  pid_ = fork();
  if (pid_ < 0)
    throw std::runtime_error("fork failed");
  if (pid_ == 0) {
    dup2(fds[1], STDOUT_FILENO);
    close(fds[0]);
    std::vector<char*> argv;
    std::string bin = TETHER_NODE_BIN;
    argv.push_back(bin.data());
    std::vector<std::string> copy = args;
    for (auto& a : copy)
      argv.push_back(a.data());
    argv.push_back(nullptr);
    execv(bin.c_str(), argv.data());
    _exit(127);
  }
  close(fds[1]);
  out_ = fdopen(fds[0], "r");
}

child_node::~child_node() {
  if (pid_ > 0) {
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
  if (out_)
    fclose(out_);
}

std::string child_node::next_line() {
  char buf[512] = {};
  if (!out_ || !fgets(buf, sizeof(buf), out_))
    return {};
  return buf;
}

std::optional<client::endpoint> child_node::listening() {
  auto line = next_line();
  auto at = line.find("ws://");
  if (line.rfind("tether-node listening on ", 0) != 0 ||
      at == std::string::npos)
    return std::nullopt;
  auto url = line.substr(at);
  url.erase(url.find_last_not_of("\r\n") + 1);
  return client::parse_url(url);
}

void child_node::signal(int sig) {
  if (pid_ > 0)
    kill(pid_, sig);
}

int child_node::wait_exit() {
  int status = 0;
  waitpid(pid_, &status, 0);
  pid_ = -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

temp_dir::temp_dir() {
  char tmpl[] = "/tmp/tether-test-XXXXXX";
  if (!mkdtemp(tmpl))
    throw std::runtime_error("mkdtemp failed");
  path_ = tmpl;
}

temp_dir::~temp_dir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

} // namespace tether::test
