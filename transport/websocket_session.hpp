#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "transport/beast.hpp"
#include "transport/channel.hpp"
#include "transport/lazy_queue.hpp"
#include "transport/settings.hpp"

namespace tether::transport {

class websocket_session;

/// Makes the handler for a freshly upgraded WebSocket (spawns its actor);
/// the number counts the node's sockets in accept order, from 1.
using handler_factory = std::function<std::shared_ptr<channel_handler>(
    std::shared_ptr<channel>, uint64_t number)>;

/// The server side of one WebSocket: reads whole messages up to the size
/// limit and hands them to its handler; writes queued messages one at a time.
/// All its state lives on its executor (a strand with several I/O threads);
/// the one figure other threads read, `retired_bytes_`, only it changes.
class websocket_session
    : public channel,
      public std::enable_shared_from_this<websocket_session> {
 public:
  websocket_session(tcp::socket&& socket, const settings& cfg);
  ~websocket_session() override;

  websocket_session(const websocket_session&) = delete;
  websocket_session& operator=(const websocket_session&) = delete;

  /// Completes the upgrade `req` and starts reading.
  void run(http::request<http::string_body> req, handler_factory make_handler,
           uint64_t number);

  // -- channel ----------------------------------------------------------------

  void send(shared_bytes message) override;
  void close(shared_bytes last) override;
  uint64_t retired_bytes() const override {
    return retired_bytes_.load(std::memory_order_relaxed);
  }
  void messages_handled(size_t n) override;
  void notify_when_below(size_t bytes) override;
  const std::string& remote() const override { return remote_; }

 private:
  void on_accept(error_code ec, handler_factory make_handler, uint64_t number);
  void do_read();
  void on_read(error_code ec, size_t n);
  void enqueue(shared_bytes message);
  void do_write();
  void on_write(error_code ec, size_t n);
  void do_close();
  void finish(const std::string& reason);
  /// The socket is done with `bytes` of sent messages.
  void retire(size_t bytes);

  /// A plain socket: the WebSocket stream's own timer runs the handshake and
  /// idle timeouts, so `beast::tcp_stream`'s two timers would be dead weight.
  websocket::stream<tcp::socket> ws_;
  settings cfg_;
  std::string remote_;
  beast::flat_buffer buffer_;
  /// The message being written, and those waiting behind it.
  shared_bytes writing_;
  lazy_queue<shared_bytes> queue_;
  /// Bytes written or dropped: changed here only, read by the writers.
  std::atomic<uint64_t> retired_bytes_{0};
  /// Bytes in `writing_` and `queue_`.
  size_t queued_bytes_ = 0;
  /// Messages handed to the handler and not yet said to be handled.
  int unhandled_ = 0;
  bool read_paused_ = false;
  std::shared_ptr<channel_handler> handler_;
  net::steady_timer close_timer_;
  size_t drained_mark_ = 0;
  bool closing_ = false;
  bool finished_ = false;
};

} // namespace tether::transport
