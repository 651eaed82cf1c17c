#pragma once

#include <chrono>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <variant>

#include "tether/transport/beast.hpp"
#include "tether/transport/channel.hpp"
#include "tether/transport/client_link.hpp"
#include "tether/transport/tls.hpp"

namespace tether::transport {

/// The client side of one WebSocket (`ws://`, or `wss://` over TLS), for
/// the client library: connects, then reads whole messages into a callback
/// and writes queued messages. `send` and `close` may be called from any
/// thread.
class ws_client : public client_link,
                  public std::enable_shared_from_this<ws_client> {
 public:
  /// A plain WebSocket.
  explicit ws_client(net::io_context& ioc);
  /// A WebSocket over TLS with `tls`; `verify_host`: the certificate must
  /// name the host `connect` is given.
  ws_client(net::io_context& ioc, std::shared_ptr<ssl::context> tls,
            bool verify_host);

  /// Connects (and, over TLS, completes its handshake) and upgrades; blocks the
  /// caller, which must not be the I/O thread. Times out after `timeout`.
  error_code connect(const std::string& host, uint16_t port,
                     const std::string& path,
                     std::chrono::milliseconds timeout) override;

  /// Why the certificate was refused, after `connect` failed on it
  /// ("certificate has expired"); empty otherwise.
  std::string refused_certificate() const override;

  /// Starts reading; call once after `connect`.
  void start(callbacks cb) override;

  /// Queues one message (binary unless `binary` is false).
  void send(shared_bytes message, bool binary = true) override;

  /// Closes the WebSocket after queued messages.
  void close() override;

  /// Drops the TCP connection at once, as a failing network would.
  void abort() override;

 private:
  struct outgoing {
    shared_bytes bytes;
    bool binary;
  };

  using plain_ws = websocket::stream<beast::tcp_stream>;
  using tls_ws = websocket::stream<beast::ssl_stream<beast::tcp_stream>>;

  void upgrade(const std::string& host, const std::string& path,
               std::function<void(error_code)> done);
  void do_read();
  void do_write();
  void close_now();
  void finish(const std::string& reason);
  /// Runs `f` on whichever stream this client has.
  template <class F> decltype(auto) with_ws(F&& f) {
    return std::visit(std::forward<F>(f), ws_);
  }

  net::strand<net::io_context::executor_type> strand_;
  /// Kept for the TLS stream's lifetime (null for a plain one).
  std::shared_ptr<ssl::context> tls_;
  bool verify_host_ = false;
  std::variant<plain_ws, tls_ws> ws_;
  beast::flat_buffer buffer_;
  std::deque<outgoing> queue_;
  callbacks cb_;
  bool closing_ = false;
  bool finished_ = false;
};

} // namespace tether::transport
