#pragma once

#include <cstdint>
#include <string>

#include "tether/transport/beast.hpp"
#include "tether/transport/handler_factory.hpp"
#include "tether/transport/poll_channel.hpp"
#include "tether/transport/settings.hpp"

namespace tether::transport {

/// Longest wait a GET may ask for, in ms (the contract's bound).
constexpr uint64_t max_poll_wait_ms = 30000;
/// A GET's wait when it names none, in ms: under common proxy timeouts.
constexpr uint64_t default_poll_wait_ms = 25000;

/// One HTTP request under `/poll`, as the transport read it.
struct poll_request {
  std::string method;
  /// Path and query, as sent.
  std::string target;
  std::string content_type;
  std::string body;
};

/// What a new poll connection takes over from the HTTP connection whose
/// `POST /poll` opened it.
struct poll_origin {
  /// Where the connection's own strand runs.
  net::any_io_executor executor;
  handler_factory make_handler;
  /// The HTTP connection's number (see `handler_factory`).
  uint64_t number = 0;
  /// The peer's address and port, for logs and admission.
  std::string remote;
};

/// Whether `path` (no query) is long polling's: `/poll` or `/poll/CONN`.
bool is_poll_path(const std::string& path);

/// Serves one long-polling request: `POST /poll` opens a connection,
/// `POST /poll/CONN` carries the client's frames, `GET /poll/CONN` takes
/// the node's. `reply` gets the answer, on some I/O thread, once.
void serve_poll(const settings& cfg, poll_request req, const poll_origin& from,
                poll_reply reply);

/// A `POST /poll/CONN` whose body is over `max_message`: its connection
/// closes with CLOSE 4, as a WebSocket's would.
void poll_too_large(const settings& cfg, const std::string& path);

} // namespace tether::transport
