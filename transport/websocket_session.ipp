#pragma once

// The member functions of `websocket_session`, included only where a next
// layer is instantiated (websocket_session.cpp, test_stream.cpp).

#include "tether/transport/websocket_session.hpp"

#include <algorithm>

namespace tether::transport {

namespace websocket_session_detail {

/// Bytes of the first read of a message: most frames are small.
constexpr size_t first_read = 1024;

} // namespace websocket_session_detail

template <class NextLayer>
websocket_session<NextLayer>::websocket_session(NextLayer&& stream,
                                                const settings& cfg,
                                                std::string remote,
                                                admission::ticket ticket)
    : ws_(std::move(stream)), cfg_(cfg), remote_(std::move(remote)),
      ticket_(std::move(ticket)), close_timer_(ws_.get_executor()) {}

template <class NextLayer>
websocket_session<NextLayer>::~websocket_session() = default;

template <class NextLayer>
void websocket_session<NextLayer>::run(http::request<http::string_body> req,
                                       handler_factory make_handler,
                                       uint64_t number) {
  websocket::stream_base::timeout timeouts;
  timeouts.handshake_timeout = cfg_.upgrade_timeout;
  timeouts.idle_timeout = cfg_.idle_timeout;
  timeouts.keep_alive_pings = true;
  ws_.set_option(timeouts);
  ws_.set_option(
      websocket::stream_base::decorator([](websocket::response_type& res) {
        res.set(http::field::server, "tether-node");
      }));
  // Sizes are enforced by counting bytes in `on_read`, so that an oversized
  // message still gets the contract's CLOSE 4 instead of Beast's own close.
  ws_.read_message_max(0);
  ws_.auto_fragment(false);
  ws_.binary(true);
  // Runs inside the stream's own read, on this executor; the stream lives
  // in this session, which the read keeps alive.
  ws_.control_callback([this](websocket::frame_type kind, beast::string_view) {
    on_control(kind);
  });
  ws_.async_accept(
      req,
      [self = this->shared_from_this(), make_handler = std::move(make_handler),
       number](error_code ec) { self->on_accept(ec, make_handler, number); });
}

template <class NextLayer>
void websocket_session<NextLayer>::on_accept(
    error_code ec, const handler_factory& make_handler, uint64_t number) {
  if (ec)
    return finish("upgrade failed: " + ec.message());
  // A full node tells the client why in the protocol's own words, then
  // closes; no connection actor is made.
  if (ticket_.verdict() == admitted::node_full)
    return on_close(cfg_.overloaded_close);
  handler_ = make_handler(this->shared_from_this(), number);
  do_read();
}

template <class NextLayer> void websocket_session<NextLayer>::do_read() {
  using websocket_session_detail::first_read;
  if (closing_)
    return;
  size_t room = cfg_.max_message + 1 - buffer_.size();
  // Small first reads keep idle connections small; large messages grow
  // the chunk with what they already have.
  auto chunk = std::max<size_t>(first_read, buffer_.size());
  ws_.async_read_some(buffer_.prepare(std::min(room, chunk)),
                      beast::bind_front_handler(&websocket_session::on_read,
                                                this->shared_from_this()));
}

template <class NextLayer>
void websocket_session<NextLayer>::on_read(error_code ec, size_t n) {
  using websocket_session_detail::first_read;
  if (ec) {
    if (ec == websocket::error::closed)
      return finish("closed by peer");
    return finish(ec == net::error::operation_aborted ? "aborted"
                                                      : ec.message());
  }
  buffer_.commit(n);
  // Many tiny fragments cost a read each for a few bytes: a message in too
  // many pieces is refused as one of too many bytes is.
  if (buffer_.size() > cfg_.max_message || ++pieces_ > cfg_.max_fragments) {
    if (handler_)
      handler_->on_too_large();
    return; // No more reads: the owner closes with its CLOSE frame.
  }
  if (!ws_.is_message_done())
    return do_read();
  pieces_ = 0;
  std::string message = beast::buffers_to_string(buffer_.data());
  buffer_.consume(buffer_.size());
  // A large message does not leave a large buffer behind on a connection
  // that goes idle after it.
  if (buffer_.capacity() > 4 * first_read)
    buffer_.shrink_to_fit();
  if (handler_)
    handler_->on_message(std::move(message), ws_.got_binary());
  // Counted here and in `on_handled`, both on this executor: reading on
  // costs no post, and pausing cannot race the owner's report.
  if (++unhandled_ < static_cast<size_t>(cfg_.max_unhandled))
    return do_read();
  read_paused_ = true;
}

template <class NextLayer>
void websocket_session<NextLayer>::messages_handled(size_t n) {
  net::post(ws_.get_executor(),
            [self = this->shared_from_this(), n] { self->on_handled(n); });
}

template <class NextLayer>
void websocket_session<NextLayer>::on_handled(size_t n) {
  // An owner that reports more than it was given has handled them all: the
  // count neither wraps around (reading would stop for good) nor keeps the
  // surplus as credit (the limit would lift).
  unhandled_ -= std::min(n, unhandled_);
  if (read_paused_ && unhandled_ < static_cast<size_t>(cfg_.max_unhandled)) {
    read_paused_ = false;
    do_read();
  }
}

template <class NextLayer>
void websocket_session<NextLayer>::notify_when_below(size_t bytes) {
  net::post(ws_.get_executor(), [self = this->shared_from_this(), bytes] {
    if (self->queued_bytes_ < bytes) {
      if (self->handler_)
        self->handler_->on_drained();
      return;
    }
    self->drained_mark_ = bytes;
  });
}

template <class NextLayer>
void websocket_session<NextLayer>::send(shared_bytes message) {
  // The one post of a send: everything it changes lives on the executor.
  net::post(ws_.get_executor(), [self = this->shared_from_this(),
                                 message = std::move(message)]() mutable {
    self->on_send(std::move(message));
  });
}

template <class NextLayer>
void websocket_session<NextLayer>::on_send(shared_bytes message) {
  if (closing_)
    return retired_.add(message->size());
  enqueue(std::move(message));
}

template <class NextLayer>
void websocket_session<NextLayer>::enqueue(shared_bytes message) {
  queued_bytes_ += message->size();
  if (writing_)
    return queue_.push_back(std::move(message));
  writing_ = std::move(message);
  do_write();
}

template <class NextLayer> void websocket_session<NextLayer>::do_write() {
  ws_.async_write(net::buffer(*writing_),
                  beast::bind_front_handler(&websocket_session::on_write,
                                            this->shared_from_this()));
}

template <class NextLayer>
void websocket_session<NextLayer>::on_write(error_code ec, size_t) {
  if (finished_) {
    // `finish` retired this message already; its bytes had to stay alive
    // until the write let go of them.
    writing_.reset();
    return;
  }
  queued_bytes_ -= writing_->size();
  retired_.add(writing_->size());
  writing_.reset();
  if (ec)
    return finish("write failed: " + ec.message());
  if (drained_mark_ > 0 && queued_bytes_ < drained_mark_) {
    drained_mark_ = 0;
    if (handler_)
      handler_->on_drained();
  }
  if (!queue_.empty()) {
    writing_ = std::move(queue_.front());
    queue_.pop_front();
    return do_write();
  }
  if (closing_)
    do_close();
}

template <class NextLayer>
void websocket_session<NextLayer>::close(shared_bytes last) {
  net::post(ws_.get_executor(), [self = this->shared_from_this(),
                                 last = std::move(last)]() mutable {
    self->on_close(std::move(last));
  });
}

template <class NextLayer>
void websocket_session<NextLayer>::on_close(shared_bytes last) {
  if (closing_) {
    // A second close, or one after the peer went: `last` is dropped, and
    // counted as such like any other message sent too late.
    if (last)
      retired_.add(last->size());
    return;
  }
  closing_ = true;
  start_close_timer();
  if (last)
    enqueue(std::move(last));
  else if (!writing_)
    do_close();
}

template <class NextLayer>
void websocket_session<NextLayer>::start_close_timer() {
  close_timer_.expires_after(cfg_.close_timeout);
  close_timer_.async_wait([self = this->shared_from_this()](error_code ec) {
    if (!ec)
      self->finish("close timed out");
  });
}

template <class NextLayer>
void websocket_session<NextLayer>::on_control(websocket::frame_type kind) {
  // Beast 1.74 takes close codes of 5000 and above as valid and echoes
  // them; RFC 6455 (7.4.2) defines none there, so the peer broke the
  // protocol. Closing first with 1002 makes Beast's read skip its echo (a
  // close frame was sent) and wait for this close to end the stream.
  if (kind != websocket::frame_type::close || ws_.reason().code < 5000 ||
      close_started_)
    return;
  if (!closing_) {
    closing_ = true;
    start_close_timer();
  }
  close_started_ = true;
  ws_.async_close(websocket::close_code::protocol_error,
                  [self = this->shared_from_this()](error_code) {
                    self->finish("invalid close code");
                  });
}

template <class NextLayer> void websocket_session<NextLayer>::do_close() {
  if (close_started_)
    return;
  close_started_ = true;
  ws_.async_close(websocket::close_code::normal,
                  [self = this->shared_from_this()](error_code) {
                    self->finish("closed");
                  });
}

template <class NextLayer>
void websocket_session<NextLayer>::finish(const std::string& reason) {
  if (finished_)
    return;
  finished_ = true;
  closing_ = true;
  close_timer_.cancel();
  // Nothing more is written: retire the write in flight and the queue now,
  // so that `on_closed` finds everything that reached the socket retired.
  // The write in flight still completes (aborted, at the latest once the
  // socket is closed below) and keeps its bytes alive until then.
  if (writing_) {
    queued_bytes_ -= writing_->size();
    retired_.add(writing_->size());
  }
  for (auto& message : queue_.take()) {
    queued_bytes_ -= message->size();
    retired_.add(message->size());
  }
  if (auto handler = std::move(handler_))
    handler->on_closed(reason);
  beast::close_socket(beast::get_lowest_layer(ws_));
}

} // namespace tether::transport
