#pragma once

// One HTTP/1.1 request to a node's admin API, run on the generator's
// io_context beside its WebSocket connections: a connection of its own (the
// node answers one request per connection), a bearer token, JSON in and out.

#include <functional>
#include <string>

#include "peer.hpp"

namespace tether::bench {

struct http_answer {
  unsigned status = 0; // 0: no answer (see failure)
  std::string body;
  std::string failure;
};

using http_done = std::function<void(const http_answer&)>;

/// Sends `method path` with `body` (JSON unless empty) and `token` to
/// `where`'s host and port; `done` gets the answer.
void http_call(net::io_context& ioc, const target& where,
               const std::string& method, const std::string& path,
               const std::string& token, const std::string& body,
               http_done done);

} // namespace tether::bench
