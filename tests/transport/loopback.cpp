#include "tether/tests/transport/loopback.hpp"

namespace tether::test {

using namespace transport;

loopback::loopback(settings cfg, size_t server_read_size)
    : client(ioc), ws(client) {
  test_stream server{ioc};
  server.connect(client);
  if (server_read_size > 0)
    server.read_size(server_read_size);
  auto make_handler = [this](std::shared_ptr<transport::channel> ch,
                             uint64_t n) {
    ++handlers_made;
    number_seen = n;
    channel = std::move(ch);
    handler = std::make_shared<recording_handler>();
    return handler;
  };
  std::make_shared<http_session<test_stream>>(std::move(server), cfg,
                                              make_handler, number, "test")
      ->run();
}

void loopback::run() {
  ioc.restart();
  ioc.poll();
}

void loopback::write_raw(const std::string& bytes) {
  // The test stream's writes complete at once, into the peer's buffer: a
  // blocking write cannot wait for the server.
  net::write(client, net::buffer(bytes));
}

http::response<http::string_body>
loopback::exchange(const std::string& request) {
  write_raw(request);
  // Shared with the handler: a read the server never completes must not
  // outlive what it writes to.
  struct reading {
    beast::flat_buffer buffer;
    http::response<http::string_body> res;
  };
  auto state = std::make_shared<reading>();
  http::async_read(client, state->buffer, state->res,
                   [state](error_code, size_t) {});
  run();
  return state->res;
}

bool loopback::server_closed() {
  struct reading {
    char byte;
    bool eof = false;
  };
  auto state = std::make_shared<reading>();
  client.async_read_some(
      net::buffer(&state->byte, 1),
      [state](error_code ec, size_t) { state->eof = ec == net::error::eof; });
  run();
  return state->eof;
}

bool loopback::upgrade() {
  auto result = std::make_shared<error_code>(net::error::would_block);
  ws.async_handshake("localhost", "/ws",
                     [result](error_code ec) { *result = ec; });
  run();
  return !*result;
}

void loopback::read_messages() {
  read_next();
}

void loopback::read_next() {
  ws.async_read(read_buffer_, [this](error_code ec, size_t) {
    if (ec) {
      read_error = ec;
      return;
    }
    received.push_back(beast::buffers_to_string(read_buffer_.data()));
    read_buffer_.consume(read_buffer_.size());
    read_next();
  });
}

} // namespace tether::test
