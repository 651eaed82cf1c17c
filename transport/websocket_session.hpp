#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

#include "tether/containers/lazy_queue.hpp"
#include "tether/transport/admission.hpp"
#include "tether/transport/beast.hpp"
#include "tether/transport/channel.hpp"
#include "tether/transport/handler_factory.hpp"
#include "tether/transport/retired_count.hpp"
#include "tether/transport/settings.hpp"

namespace tether::transport {

/// The server side of one WebSocket: reads whole messages up to the size
/// limit and hands them to its handler; writes queued messages one at a time.
///
/// `NextLayer` is the stream under the WebSocket: `tcp::socket` in the node,
/// Beast's `test::stream` in tests (see `transport/test_stream.hpp`). The
/// member functions live in `websocket_session.ipp` and are compiled once per
/// next layer, by explicit instantiation.
///
/// All state lives on the stream's executor (a strand when several threads
/// run the I/O context), as in Beast's chat-multi: the calls of `channel`
/// only post there. The one exception is `retired_`, which only the
/// executor writes and any thread may read.
template <class NextLayer>
class websocket_session
    : public channel,
      public std::enable_shared_from_this<websocket_session<NextLayer>> {
 public:
  // -- constructors -----------------------------------------------------------

  /// Takes over `stream`, which has just read an upgrade request. `remote`
  /// names the peer in logs; `ticket` counts it in while it is open.
  websocket_session(NextLayer&& stream, const settings& cfg, std::string remote,
                    admission::ticket ticket = {});
  ~websocket_session() override;

  websocket_session(const websocket_session&) = delete;
  websocket_session& operator=(const websocket_session&) = delete;

  // -- running ----------------------------------------------------------------

  /// Completes the upgrade `req`, then makes the handler with
  /// `make_handler(channel, number)` and starts reading.
  void run(http::request<http::string_body> req, handler_factory make_handler,
           uint64_t number);

  // -- channel ----------------------------------------------------------------

  void send(shared_bytes message) override;
  void close(shared_bytes last) override;
  uint64_t retired_bytes() const override { return retired_.get(); }
  void messages_handled(size_t n) override;
  void notify_when_below(size_t bytes) override;
  const std::string& remote() const override { return remote_; }

 private:
  void on_accept(error_code ec, const handler_factory& make_handler,
                 uint64_t number);
  void do_read();
  void on_read(error_code ec, size_t n);
  void on_handled(size_t n);
  void on_send(shared_bytes message);
  void on_close(shared_bytes last);
  void enqueue(shared_bytes message);
  void do_write();
  void on_write(error_code ec, size_t n);
  void do_close();
  void on_control(websocket::frame_type kind);
  void start_close_timer();
  void finish(const std::string& reason);

  /// The WebSocket stream's own timer runs the handshake and idle timeouts,
  /// so the next layer needs none (no `beast::tcp_stream`).
  websocket::stream<NextLayer> ws_;
  settings cfg_;
  std::string remote_;
  admission::ticket ticket_;
  beast::flat_buffer buffer_;
  /// The message being written (set exactly while a write is in flight), and
  /// those waiting behind it.
  shared_bytes writing_;
  containers::lazy_queue<shared_bytes> queue_;
  /// Bytes of `writing_` and `queue_`: what `notify_when_below` compares.
  size_t queued_bytes_ = 0;
  /// Bytes of sent messages written or dropped.
  retired_count retired_;
  /// Messages delivered to the handler and not yet reported handled.
  size_t unhandled_ = 0;
  /// Reading waits for `messages_handled`: no read is in flight.
  bool read_paused_ = false;
  /// Reads of the message in progress (its fragments, or pieces of them):
  /// bounded by `settings::max_fragments`.
  size_t pieces_ = 0;
  std::shared_ptr<channel_handler> handler_;
  net::steady_timer close_timer_;
  size_t drained_mark_ = 0;
  bool closing_ = false;
  /// The WebSocket close handshake has begun on this side: a second
  /// `async_close` is a Beast precondition failure.
  bool close_started_ = false;
  bool finished_ = false;
};

extern template class websocket_session<tcp::socket>;

} // namespace tether::transport
