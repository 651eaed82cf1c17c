#pragma once

#include <chrono>
#include <deque>
#include <functional>
#include <memory>
#include <string>

#include "tether/transport/beast.hpp"
#include "tether/transport/channel.hpp"

namespace tether::transport {

/// The client side of one WebSocket, for the client library: connects,
/// then reads whole messages into a callback and writes queued messages.
/// `send` and `close` may be called from any thread.
class ws_client : public std::enable_shared_from_this<ws_client> {
 public:
  struct callbacks {
    /// One whole message; runs on the I/O thread.
    std::function<void(std::string bytes, bool binary)> on_message;
    /// The connection is gone; nothing follows.
    std::function<void(const std::string& reason)> on_closed;
  };

  explicit ws_client(net::io_context& ioc);

  /// Connects and upgrades; blocks the caller, which must not be the I/O
  /// thread. Times out after `timeout`.
  error_code connect(const std::string& host, uint16_t port,
                     const std::string& path,
                     std::chrono::milliseconds timeout);

  /// Starts reading; call once after `connect`.
  void start(callbacks cb);

  /// Queues one message (binary unless `binary` is false).
  void send(shared_bytes message, bool binary = true);

  /// Closes the WebSocket after queued messages.
  void close();

  /// Drops the TCP connection at once, as a failing network would.
  void abort();

 private:
  struct outgoing {
    shared_bytes bytes;
    bool binary;
  };

  void do_read();
  void do_write();
  void finish(const std::string& reason);

  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buffer_;
  std::deque<outgoing> queue_;
  callbacks cb_;
  bool closing_ = false;
  bool finished_ = false;
};

} // namespace tether::transport
