#include "tether/transport/ws_client.hpp"

#include <future>

namespace tether::transport {

ws_client::ws_client(net::io_context& ioc) : ws_(net::make_strand(ioc)) {}

error_code ws_client::connect(const std::string& host, uint16_t port,
                              const std::string& path,
                              std::chrono::milliseconds timeout) {
  std::promise<error_code> done;
  auto result = done.get_future();
  net::post(ws_.get_executor(), [&, self = shared_from_this()] {
    error_code ec;
    auto address = net::ip::make_address(host, ec);
    if (ec)
      return done.set_value(ec);
    auto& tcp_layer = beast::get_lowest_layer(ws_);
    tcp_layer.expires_after(timeout);
    tcp_layer.async_connect(tcp::endpoint{address, port}, [&, self, host, path](
                                                              error_code ec) {
      if (ec)
        return done.set_value(ec);
      beast::get_lowest_layer(ws_).socket().set_option(tcp::no_delay(true), ec);
      ws_.async_handshake(host, path, [&, self](error_code ec) {
        beast::get_lowest_layer(ws_).expires_never();
        done.set_value(ec);
      });
    });
  });
  return result.get();
}

void ws_client::start(callbacks cb) {
  net::post(ws_.get_executor(), [self = shared_from_this(), cb] {
    self->cb_ = cb;
    self->ws_.read_message_max(256 << 20);
    self->ws_.auto_fragment(false);
    self->do_read();
  });
}

void ws_client::do_read() {
  ws_.async_read(buffer_, [self = shared_from_this()](error_code ec, size_t) {
    if (ec)
      return self->finish(ec == websocket::error::closed ? "closed by peer"
                                                         : ec.message());
    auto bytes = beast::buffers_to_string(self->buffer_.data());
    self->buffer_.consume(self->buffer_.size());
    if (self->cb_.on_message)
      self->cb_.on_message(std::move(bytes), self->ws_.got_binary());
    self->do_read();
  });
}

void ws_client::send(shared_bytes message, bool binary) {
  net::post(ws_.get_executor(),
            [self = shared_from_this(), message = std::move(message), binary] {
              if (self->closing_)
                return;
              self->queue_.push_back({message, binary});
              if (self->queue_.size() == 1)
                self->do_write();
            });
}

void ws_client::do_write() {
  ws_.binary(queue_.front().binary);
  ws_.async_write(net::buffer(*queue_.front().bytes),
                  [self = shared_from_this()](error_code ec, size_t) {
                    if (ec)
                      return self->finish("write failed: " + ec.message());
                    self->queue_.pop_front();
                    if (!self->queue_.empty())
                      return self->do_write();
                    if (self->closing_)
                      self->ws_.async_close(
                          websocket::close_code::normal,
                          [self](error_code) { self->finish("closed"); });
                  });
}

void ws_client::close() {
  net::post(ws_.get_executor(), [self = shared_from_this()] {
    if (self->closing_ || self->finished_)
      return;
    self->closing_ = true;
    if (self->queue_.empty())
      self->ws_.async_close(websocket::close_code::normal,
                            [self](error_code) { self->finish("closed"); });
  });
}

void ws_client::abort() {
  net::post(ws_.get_executor(),
            [self = shared_from_this()] { self->finish("aborted"); });
}

void ws_client::finish(const std::string& reason) {
  if (finished_)
    return;
  finished_ = true;
  closing_ = true;
  error_code ignored;
  beast::get_lowest_layer(ws_).socket().close(ignored);
  if (cb_.on_closed)
    cb_.on_closed(reason);
  cb_ = {};
}

} // namespace tether::transport
