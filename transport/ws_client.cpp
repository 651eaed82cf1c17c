#include "tether/transport/ws_client.hpp"

#include <future>

namespace tether::transport {

ws_client::ws_client(net::io_context& ioc)
    : strand_(net::make_strand(ioc)),
      ws_(std::in_place_type<plain_ws>, strand_) {}

ws_client::ws_client(net::io_context& ioc, std::shared_ptr<ssl::context> tls,
                     bool verify_host)
    : strand_(net::make_strand(ioc)), tls_(std::move(tls)),
      verify_host_(verify_host),
      ws_(std::in_place_type<tls_ws>, strand_, *tls_) {}

error_code ws_client::connect(const std::string& host, uint16_t port,
                              const std::string& path,
                              std::chrono::milliseconds timeout) {
  std::promise<error_code> done;
  auto result = done.get_future();
  net::post(strand_, [&, self = shared_from_this()] {
    error_code ec;
    auto address = net::ip::make_address(host, ec);
    if (ec)
      return done.set_value(ec);
    auto finished = [&, self](error_code ec) {
      with_ws([](auto& ws) { beast::get_lowest_layer(ws).expires_never(); });
      done.set_value(ec);
    };
    with_ws([&](auto& ws) {
      auto& tcp_layer = beast::get_lowest_layer(ws);
      tcp_layer.expires_after(timeout);
      tcp_layer.async_connect(tcp::endpoint{address, port},
                              [self, host, path, finished](error_code ec) {
                                if (ec)
                                  return finished(ec);
                                self->upgrade(host, path, finished);
                              });
    });
  });
  return result.get();
}

void ws_client::upgrade(const std::string& host, const std::string& path,
                        std::function<void(error_code)> done) {
  with_ws([&](auto& ws) {
    error_code ignored;
    beast::get_lowest_layer(ws).socket().set_option(tcp::no_delay(true),
                                                    ignored);
  });
  if (auto* plain = std::get_if<plain_ws>(&ws_))
    return plain->async_handshake(host, path, std::move(done));
  auto& ws = std::get<tls_ws>(ws_);
  auto& tls = ws.next_layer();
  prepare_client(tls, host, verify_host_);
  tls.async_handshake(ssl::stream_base::client,
                      [self = shared_from_this(), host, path,
                       done = std::move(done)](error_code ec) mutable {
                        if (ec)
                          return done(ec);
                        std::get<tls_ws>(self->ws_).async_handshake(
                            host, path, std::move(done));
                      });
}

std::string ws_client::refused_certificate() const {
  auto* tls = std::get_if<tls_ws>(&ws_);
  if (!tls)
    return {};
  // The handshake is over (connect returned): nothing else touches it.
  return transport::refused_certificate(const_cast<tls_ws*>(tls)->next_layer());
}

void ws_client::start(callbacks cb) {
  net::post(strand_, [self = shared_from_this(), cb] {
    self->cb_ = cb;
    self->with_ws([](auto& ws) {
      ws.read_message_max(256 << 20);
      ws.auto_fragment(false);
    });
    self->do_read();
  });
}

void ws_client::do_read() {
  with_ws([this](auto& ws) {
    ws.async_read(buffer_, [self = shared_from_this()](error_code ec, size_t) {
      if (ec)
        return self->finish(ec == websocket::error::closed ? "closed by peer"
                                                           : ec.message());
      auto bytes = beast::buffers_to_string(self->buffer_.data());
      self->buffer_.consume(self->buffer_.size());
      auto binary = self->with_ws([](auto& ws) { return ws.got_binary(); });
      if (self->cb_.on_message)
        self->cb_.on_message(std::move(bytes), binary);
      self->do_read();
    });
  });
}

void ws_client::send(shared_bytes message, bool binary) {
  net::post(strand_,
            [self = shared_from_this(), message = std::move(message), binary] {
              if (self->closing_)
                return;
              self->queue_.push_back({message, binary});
              if (self->queue_.size() == 1)
                self->do_write();
            });
}

void ws_client::do_write() {
  with_ws([this](auto& ws) {
    ws.binary(queue_.front().binary);
    ws.async_write(net::buffer(*queue_.front().bytes),
                   [self = shared_from_this()](error_code ec, size_t) {
                     if (ec)
                       return self->finish("write failed: " + ec.message());
                     self->queue_.pop_front();
                     if (!self->queue_.empty())
                       return self->do_write();
                     if (self->closing_)
                       self->close_now();
                   });
  });
}

void ws_client::close() {
  net::post(strand_, [self = shared_from_this()] {
    if (self->closing_ || self->finished_)
      return;
    self->closing_ = true;
    if (self->queue_.empty())
      self->close_now();
  });
}

void ws_client::close_now() {
  with_ws([this](auto& ws) {
    ws.async_close(
        websocket::close_code::normal,
        [self = shared_from_this()](error_code) { self->finish("closed"); });
  });
}

void ws_client::abort() {
  net::post(strand_, [self = shared_from_this()] { self->finish("aborted"); });
}

void ws_client::finish(const std::string& reason) {
  if (finished_)
    return;
  finished_ = true;
  closing_ = true;
  with_ws([](auto& ws) {
    error_code ignored;
    beast::get_lowest_layer(ws).socket().close(ignored);
  });
  if (cb_.on_closed)
    cb_.on_closed(reason);
  cb_ = {};
}

} // namespace tether::transport
