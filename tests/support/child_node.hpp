#pragma once

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <mutex>
#include <optional>
#include <string>
#include <sys/types.h>
#include <thread>
#include <vector>

#include "tether/clients/cpp/client.hpp"
#include "tether/tests/support/temp_dir.hpp"

namespace tether::test {

/// How a `child_node` is started besides its arguments.
struct child_options {
  /// Read the node's stderr into `error_output()` instead of letting it
  /// write to the test's stderr.
  bool capture_stderr = false;
  /// A soft RLIMIT_FSIZE (bytes) set in the child before exec: a write
  /// that would make any file larger fails with EFBIG.
  std::optional<uint64_t> file_size_limit;
};

/// The real `tether-node` binary as a child process, its stdout read by
/// the test.
class child_node {
 public:
  explicit child_node(const std::vector<std::string>& args,
                      child_options opts = {});
  ~child_node();

  child_node(const child_node&) = delete;
  child_node& operator=(const child_node&) = delete;

  /// The next line the node printed on stdout, with its newline (empty at
  /// its end).
  std::string next_line();

  /// As `next_line()`, but empty as well when no whole line came within
  /// `timeout`.
  std::string next_line(std::chrono::milliseconds timeout);

  /// Reads the first line, `tether-node listening on URL`: the URL's
  /// endpoint, or nullopt when the node printed something else, ended, or
  /// printed nothing within `timeout`.
  std::optional<client::endpoint>
  listening(std::chrono::milliseconds timeout = std::chrono::seconds{10});

  /// Sends `sig` to the node.
  void signal(int sig);

  /// Waits for the node to end: its exit code, or -1 when a signal
  /// ended it.
  int wait_exit();

  /// As `wait_exit()`, but nullopt when the node still runs after
  /// `timeout`.
  std::optional<int> wait_exit(std::chrono::milliseconds timeout);

  /// Whether the running node has a handler for `sig` installed (from
  /// /proc/PID/status): a SIGTERM before then kills it without a drain.
  bool handles(int sig) const;

  /// The signal that ended the node (0: it exited, or still runs).
  int end_signal() const noexcept { return end_signal_; }

  /// Sets the running node's soft RLIMIT_FSIZE (nullopt: unlimited);
  /// false if that failed.
  bool limit_file_size(std::optional<uint64_t> bytes);

  /// What the node wrote to stderr so far (with `capture_stderr`).
  std::string error_output() const;

  pid_t pid() const noexcept { return pid_; }

 private:
  void reap(int status);

  pid_t pid_ = -1;
  int out_fd_ = -1;
  std::string out_buffer_;
  bool out_ended_ = false;
  int exit_code_ = -1;
  int end_signal_ = 0;
  mutable std::mutex err_mtx_;
  std::string err_text_;
  std::thread err_reader_;
};

} // namespace tether::test
