#pragma once

#include <iosfwd>
#include <string>
#include <vector>

#include "api_client.hpp"

namespace tether::ctl {

/// Exit codes, as `--help` documents them.
enum exit_code : int {
  ok = 0,
  /// The node answered with an error (4xx, 5xx).
  refused = 1,
  /// The command line is wrong.
  usage = 2,
  /// The node could not be reached (connection, TLS, timeout).
  unreachable = 3,
};

/// What a command works with.
struct context {
  target at;
  /// Print the node's JSON as it is, for scripts.
  bool json = false;
  /// Pages: their size, where to start, and whether to follow them all.
  std::string limit;
  std::string after;
  bool all = false;
  std::ostream* out;
  std::ostream* err;
};

/// Runs `command` with its `args`: the exit code.
int run(context& ctx, const std::string& command,
        const std::vector<std::string>& args);

} // namespace tether::ctl
