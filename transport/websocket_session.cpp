#include "transport/websocket_session.hpp"

#include <algorithm>

namespace tether::transport {

namespace {

/// Bytes of the first read of a message: most frames are small.
constexpr size_t first_read = 1024;

} // namespace

websocket_session::websocket_session(tcp::socket&& socket, const settings& cfg)
    : ws_(std::move(socket)), cfg_(cfg), close_timer_(ws_.get_executor()) {
  error_code ec;
  auto ep = ws_.next_layer().remote_endpoint(ec);
  remote_ = ec ? std::string{"unknown"}
               : ep.address().to_string() + ":" + std::to_string(ep.port());
}

websocket_session::~websocket_session() = default;

void websocket_session::run(http::request<http::string_body> req,
                            handler_factory make_handler, uint64_t number) {
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
  ws_.async_accept(
      req,
      [self = shared_from_this(), make_handler = std::move(make_handler),
       number](error_code ec) { self->on_accept(ec, make_handler, number); });
}

void websocket_session::on_accept(error_code ec, handler_factory make_handler,
                                  uint64_t number) {
  if (ec)
    return finish("upgrade failed: " + ec.message());
  handler_ = make_handler(shared_from_this(), number);
  do_read();
}

void websocket_session::do_read() {
  if (closing_)
    return;
  size_t room = cfg_.max_message + 1 - buffer_.size();
  // Small first reads keep idle connections small; large messages grow
  // the chunk with what they already have.
  auto chunk = std::max<size_t>(first_read, buffer_.size());
  ws_.async_read_some(buffer_.prepare(std::min(room, chunk)),
                      beast::bind_front_handler(&websocket_session::on_read,
                                                shared_from_this()));
}

void websocket_session::on_read(error_code ec, size_t n) {
  if (ec) {
    if (ec == websocket::error::closed)
      return finish("closed by peer");
    return finish(ec == net::error::operation_aborted ? "aborted"
                                                      : ec.message());
  }
  buffer_.commit(n);
  if (buffer_.size() > cfg_.max_message) {
    if (handler_)
      handler_->on_too_large();
    return; // No more reads: the owner closes with its CLOSE frame.
  }
  if (!ws_.is_message_done())
    return do_read();
  std::string message = beast::buffers_to_string(buffer_.data());
  buffer_.consume(buffer_.size());
  // A large message does not leave a large buffer behind on a connection
  // that goes idle after it.
  if (buffer_.capacity() > 4 * first_read)
    buffer_.shrink_to_fit();
  if (handler_)
    handler_->on_message(std::move(message), ws_.got_binary());
  if (++unhandled_ < cfg_.max_unhandled)
    return do_read();
  read_paused_ = true; // Until `messages_handled` says enough were.
}

void websocket_session::messages_handled(size_t n) {
  net::post(ws_.get_executor(), [self = shared_from_this(), n] {
    self->unhandled_ -= static_cast<int>(n);
    if (self->read_paused_ && self->unhandled_ < self->cfg_.max_unhandled) {
      self->read_paused_ = false;
      self->do_read();
    }
  });
}

void websocket_session::notify_when_below(size_t bytes) {
  net::post(ws_.get_executor(), [self = shared_from_this(), bytes] {
    if (self->queued_bytes_ < bytes) {
      if (self->handler_)
        self->handler_->on_drained();
      return;
    }
    self->drained_mark_ = bytes;
  });
}

void websocket_session::send(shared_bytes message) {
  net::post(ws_.get_executor(),
            [self = shared_from_this(), message = std::move(message)] {
              if (self->closing_)
                return self->retire(message->size());
              self->enqueue(message);
            });
}

void websocket_session::retire(size_t bytes) {
  retired_bytes_.store(retired_bytes_.load(std::memory_order_relaxed) + bytes,
                       std::memory_order_relaxed);
}

void websocket_session::enqueue(shared_bytes message) {
  queued_bytes_ += message->size();
  if (writing_)
    return queue_.push_back(std::move(message));
  writing_ = std::move(message);
  do_write();
}

void websocket_session::do_write() {
  ws_.async_write(net::buffer(*writing_),
                  beast::bind_front_handler(&websocket_session::on_write,
                                            shared_from_this()));
}

void websocket_session::on_write(error_code ec, size_t) {
  if (finished_)
    return; // `finish` retired what was queued.
  if (ec)
    return finish("write failed: " + ec.message());
  queued_bytes_ -= writing_->size();
  retire(writing_->size());
  writing_.reset();
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

void websocket_session::close(shared_bytes last) {
  net::post(ws_.get_executor(),
            [self = shared_from_this(), last = std::move(last)] {
              if (self->closing_ || self->finished_) {
                if (last)
                  self->retire(last->size());
                return;
              }
              self->closing_ = true;
              self->close_timer_.expires_after(self->cfg_.close_timeout);
              self->close_timer_.async_wait([self](error_code ec) {
                if (!ec)
                  self->finish("close timed out");
              });
              if (last)
                self->enqueue(last);
              else if (!self->writing_)
                self->do_close();
            });
}

void websocket_session::do_close() {
  ws_.async_close(
      websocket::close_code::normal,
      [self = shared_from_this()](error_code) { self->finish("closed"); });
}

void websocket_session::finish(const std::string& reason) {
  if (finished_)
    return;
  finished_ = true;
  closing_ = true;
  close_timer_.cancel();
  // What was never written is dropped. The message being written stays
  // alive until its write returns.
  retire(queued_bytes_);
  queued_bytes_ = 0;
  queue_.clear();
  if (auto handler = std::move(handler_))
    handler->on_closed(reason);
  error_code ignored;
  ws_.next_layer().shutdown(tcp::socket::shutdown_both, ignored);
  ws_.next_layer().close(ignored);
}

} // namespace tether::transport
