#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>

#include "tether/transport/beast.hpp"
#include "tether/transport/channel.hpp"

namespace tether::transport {

/// A client's way to a node, as the client library sees it: a WebSocket
/// (`ws_client`) or long polling (the client library's `poll_link`).
/// Messages are batches of frames either way. `send`, `close` and `abort`
/// may be called from any thread.
class client_link {
 public:
  struct callbacks {
    /// One whole message; runs on the I/O thread.
    std::function<void(std::string bytes, bool binary)> on_message;
    /// The connection is gone; nothing follows.
    std::function<void(const std::string& reason)> on_closed;
  };

  virtual ~client_link() = default;

  /// Connects (and, over TLS, completes its handshake) to `path` at
  /// `host:port`; blocks the caller, which must not be the I/O thread.
  /// Times out after `timeout`.
  virtual error_code connect(const std::string& host, uint16_t port,
                             const std::string& path,
                             std::chrono::milliseconds timeout) = 0;

  /// Why the certificate was refused, after `connect` failed on it
  /// ("certificate has expired"); empty otherwise.
  virtual std::string refused_certificate() const = 0;

  /// Starts reading; call once after `connect`.
  virtual void start(callbacks cb) = 0;

  /// Queues one message (binary unless `binary` is false).
  virtual void send(shared_bytes message, bool binary = true) = 0;

  /// Closes politely after queued messages.
  virtual void close() = 0;

  /// Drops the connection at once, as a failing network would.
  virtual void abort() = 0;
};

} // namespace tether::transport
