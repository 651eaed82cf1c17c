#pragma once

// One misbehaving client on a raw TCP socket: it writes a script of bytes
// while it reads everything the node answers, and reports how the
// connection ended. Thousands run at once on one io_context.

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "tether/transport/beast.hpp"

namespace tether::test {

/// What a script writes: `bytes`, `times` times in a row (a flood). A step
/// after an upgrade request waits for its answer, as RFC 6455 (4.1) wants
/// of a client: a node may drop what it gets before the upgrade is done.
struct script_step {
  std::string bytes;
  size_t times = 1;
};

/// A script, shared by every connection that runs it.
using script_ptr = std::shared_ptr<const std::vector<script_step>>;

/// How a connection ended, as the client saw it.
struct outcome {
  enum class ending { eof, reset, timeout };
  /// The node's HTTP status (101: upgraded); 0: none came.
  unsigned http_status = 0;
  /// The code of the contract's CLOSE frame the node sent; -1: none.
  int close_code = -1;
  /// The code of the node's WebSocket close frame; -1: none.
  int ws_close = -1;
  ending end = ending::timeout;
  std::chrono::milliseconds took{0};

  /// A few words for counting: "CLOSE 3", "ws close 1002", "HTTP 431",
  /// "eof", "reset", "timeout".
  std::string label() const;
};

/// Connects to `to`, runs `script` while reading, and calls `done` (on
/// the io_context's thread) once the node closed the connection or
/// `limit` passed.
void run_raw_peer(transport::net::io_context& ioc, transport::tcp::endpoint to,
                  script_ptr script, std::chrono::milliseconds limit,
                  std::function<void(const outcome&)> done);

} // namespace tether::test
