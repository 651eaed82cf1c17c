#pragma once

#include <cstdio>
#include <string>
#include <sys/types.h>
#include <vector>

#include "clients/cpp/client.hpp"

namespace tether::test {

/// The real `tether-node` binary as a child process, its stdout read by
/// the test.
class child_node {
 public:
  explicit child_node(const std::vector<std::string>& args);
  ~child_node();

  child_node(const child_node&) = delete;
  child_node& operator=(const child_node&) = delete;

  /// The next line the node printed on stdout (empty at its end).
  std::string next_line();

  /// Reads the first line, `tether-node listening on URL`: the URL's
  /// endpoint, or nullopt when the node printed something else or ended.
  std::optional<client::endpoint> listening();

  /// Sends `sig` to the node.
  void signal(int sig);

  /// Waits for the node to end: its exit code, or -1 when a signal
  /// ended it.
  int wait_exit();

  pid_t pid() const noexcept { return pid_; }

 private:
  pid_t pid_ = -1;
  FILE* out_ = nullptr;
};

/// A fresh directory under /tmp, removed with what it holds at the end.
class temp_dir {
 public:
  temp_dir();
  ~temp_dir();
  const std::string& path() const noexcept { return path_; }
  std::string file(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

} // namespace tether::test
