#include "http_call.hpp"

#include <memory>

namespace tether::bench {

namespace {

namespace http = transport::http;

struct call : std::enable_shared_from_this<call> {
  call(net::io_context& ioc, http_done d) : socket(ioc), done(std::move(d)) {}

  void fail(const std::string& what, error_code ec) {
    http_answer a;
    a.failure = what + ": " + ec.message();
    done(a);
  }

  void start(const tcp::endpoint& to) {
    socket.async_connect(to, [self = shared_from_this()](error_code ec) {
      if (ec)
        return self->fail("connect", ec);
      self->socket.set_option(tcp::no_delay(true), ec);
      http::async_write(self->socket, self->req, [self](error_code ec, size_t) {
        if (ec)
          return self->fail("write", ec);
        self->read();
      });
    });
  }

  void read() {
    http::async_read(socket, buffer, res,
                     [self = shared_from_this()](error_code ec, size_t) {
                       if (ec && ec != http::error::end_of_stream)
                         return self->fail("read", ec);
                       http_answer a;
                       a.status = static_cast<unsigned>(self->res.result_int());
                       a.body = std::move(self->res.body());
                       error_code ignored;
                       self->socket.close(ignored);
                       self->done(a);
                     });
  }

  tcp::socket socket;
  http_done done;
  http::request<http::string_body> req;
  http::response<http::string_body> res;
  beast::flat_buffer buffer;
};

} // namespace

void http_call(net::io_context& ioc, const target& where,
               const std::string& method, const std::string& path,
               const std::string& token, const std::string& body,
               http_done done) {
  auto c = std::make_shared<call>(ioc, std::move(done));
  error_code ec;
  auto address = net::ip::make_address(where.host, ec);
  if (ec)
    return c->fail("bad host " + where.host, ec);
  c->req = {http::string_to_verb(method), path, 11};
  c->req.set(http::field::host, where.host);
  if (!token.empty())
    c->req.set(http::field::authorization, "Bearer " + token);
  if (!body.empty())
    c->req.set(http::field::content_type, "application/json");
  c->req.body() = body;
  c->req.prepare_payload();
  c->start({address, where.port});
}

} // namespace tether::bench
