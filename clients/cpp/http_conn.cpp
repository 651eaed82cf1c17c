#include "tether/clients/cpp/http_conn.hpp"

namespace tether::client {

using transport::error_code;
namespace beast = transport::beast;

namespace {

/// Largest answer read: a GET takes everything waiting, up to the node's
/// outbox limit and a batch more.
constexpr uint64_t max_answer_bytes = 256 << 20;

} // namespace

http_conn::http_conn(strand s, std::string host, uint16_t port,
                     std::shared_ptr<transport::ssl::context> tls,
                     bool verify_host)
    : strand_(std::move(s)), host_(std::move(host)), port_(port),
      tls_(std::move(tls)), verify_host_(verify_host) {}

void http_conn::connect(std::chrono::milliseconds timeout,
                        std::function<void(error_code)> done) {
  close();
  error_code ec;
  auto address = net::ip::make_address(host_, ec);
  if (ec)
    return done(ec);
  auto l = std::make_shared<link>();
  if (tls_) {
    l->secure = std::make_unique<transport::tls_client_stream>(strand_, *tls_);
    transport::prepare_client(*l->secure, host_, verify_host_);
  } else {
    l->plain = std::make_unique<beast::tcp_stream>(strand_);
  }
  link_ = l;
  l->lowest().expires_after(timeout);
  l->lowest().async_connect(
      transport::tcp::endpoint{address, port_},
      [l, done = std::move(done)](error_code ec) {
        if (ec)
          return done(ec);
        error_code ignored;
        l->lowest().socket().set_option(transport::tcp::no_delay(true),
                                        ignored);
        if (!l->secure)
          return done(ec);
        l->secure->async_handshake(transport::ssl::stream_base::client, done);
      });
}

void http_conn::send(request req, std::chrono::milliseconds timeout,
                     done_fn done) {
  req.set(http::field::host, host_);
  req.keep_alive(true);
  req.prepare_payload();
  exchange(std::make_shared<request>(std::move(req)), timeout,
           link_ && link_->used, std::move(done));
}

void http_conn::exchange(std::shared_ptr<request> req,
                         std::chrono::milliseconds timeout, bool again,
                         done_fn done) {
  auto self = shared_from_this();
  if (!link_)
    return connect(timeout, [self, req, timeout, done](error_code ec) {
      if (ec)
        return done(ec, {});
      self->exchange(req, timeout, false, done);
    });
  auto l = link_;
  l->lowest().expires_after(timeout);
  auto parser = std::make_shared<http::response_parser<http::string_body>>();
  parser->body_limit(max_answer_bytes);
  auto on_read = [self, l, req, timeout, again, done, parser](error_code ec,
                                                              size_t) {
    if (ec) {
      // Closed here on purpose (`close`): no second try.
      bool ours = self->link_ == l;
      if (ours)
        self->close();
      if (ours && again && !parser->got_some())
        return self->exchange(req, timeout, false, done);
      return done(ec, {});
    }
    l->used = true;
    auto res = parser->release();
    if (!res.keep_alive() && self->link_ == l)
      self->close();
    done({}, std::move(res));
  };
  auto on_written = [l, parser, on_read](error_code ec, size_t n) {
    if (ec)
      return on_read(ec, n);
    if (l->secure)
      http::async_read(*l->secure, l->buffer, *parser, on_read);
    else
      http::async_read(*l->plain, l->buffer, *parser, on_read);
  };
  if (l->secure)
    http::async_write(*l->secure, *req, on_written);
  else
    http::async_write(*l->plain, *req, on_written);
}

void http_conn::close() {
  if (!link_)
    return;
  error_code ignored;
  link_->lowest().socket().close(ignored);
  link_.reset();
}

std::string http_conn::refused_certificate() {
  return link_ && link_->secure ? transport::refused_certificate(*link_->secure)
                                : std::string{};
}

} // namespace tether::client
