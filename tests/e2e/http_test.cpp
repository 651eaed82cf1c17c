// The node's HTTP side over a real socket: a connection kept alive answers
// request after request, pipelined ones too, in order.

#include <thread>

#include <catch2/catch.hpp>

#include "stalled_request.hpp"
#include "tether/tests/support/test_node.hpp"
#include "tether/transport/beast.hpp"

using namespace tether;
using namespace std::chrono_literals;

namespace {

namespace net = transport::net;
namespace http = transport::http;

std::string get(const std::string& target, bool close = false) {
  return "GET " + target + " HTTP/1.1\r\nHost: x\r\n" +
         (close ? "Connection: close\r\n" : "") + "\r\n";
}

/// A plain TCP connection to `n`'s port.
struct connection {
  net::io_context ioc;
  transport::beast::tcp_stream s{ioc};
  transport::beast::flat_buffer buffer;

  explicit connection(const test::test_node& n) {
    s.expires_after(20s);
    s.connect(transport::tcp::endpoint{net::ip::make_address(n.where().host),
                                       n.where().port});
  }
};

} // namespace

TEST_CASE("pipelined requests on one connection are all answered in order") {
  test::test_node n;
  net::io_context ioc;
  transport::beast::tcp_stream s{ioc};
  s.expires_after(10s);
  s.connect(transport::tcp::endpoint{net::ip::make_address(n.where().host),
                                     n.where().port});
  // Three at once, the last asking to close.
  net::write(
      s, net::buffer(get("/health") + get("/nowhere") + get("/health", true)));
  transport::beast::flat_buffer buffer;
  std::vector<unsigned> statuses;
  for (int i = 0; i < 3; ++i) {
    http::response<http::string_body> res;
    transport::error_code ec;
    http::read(s, buffer, res, ec);
    REQUIRE_FALSE(ec);
    statuses.push_back(res.result_int());
    CHECK(res.keep_alive() == (i < 2));
  }
  CHECK(statuses == std::vector<unsigned>{200, 404, 200});
  // Then the node closes.
  http::response<http::string_body> none;
  transport::error_code ec;
  http::read(s, buffer, none, ec);
  CHECK(ec == http::error::end_of_stream);
}

TEST_CASE("a kept-alive connection is closed after 100 requests") {
  test::test_node n;
  connection c{n};
  auto& [ioc, s, buffer] = c;
  int answered = 0;
  for (int i = 0; i < 150; ++i) {
    transport::error_code ec;
    net::write(s, net::buffer(get("/health")), ec);
    http::response<http::string_body> res;
    if (!ec)
      http::read(s, buffer, res, ec);
    if (ec)
      break;
    ++answered;
  }
  CHECK(answered == 100);
}

TEST_CASE(
    "a client still sending a refused request reads its 431 and the end") {
  // A slow client sends its over-long header for longer than the node's
  // close timeout (2 s), in pieces 0.5 s apart, and reads only when done.
  // A node that closed 2 s after its answer reset the connection at the
  // next piece, and the reset could discard the answer unread.
  test::test_node n;
  connection c{n};
  auto& [ioc, s, buffer] = c;
  net::write(s, net::buffer("GET /ws HTTP/1.1\r\nHost: x\r\nX-Big: " +
                            std::string(20 * 1024, 'a')));
  for (int i = 0; i < 7; ++i) {
    std::this_thread::sleep_for(500ms); // The client's pace, not a wait.
    transport::error_code ec;
    net::write(s, net::buffer(std::string(4096, 'a')), ec);
    REQUIRE_FALSE(ec);
  }
  http::response<http::string_body> res;
  transport::error_code ec;
  http::read(s, buffer, res, ec);
  REQUIRE_FALSE(ec);
  CHECK(res.result() == http::status::request_header_fields_too_large);
  // Then the node closes, once the client stops sending.
  http::read(s, buffer, res, ec);
  CHECK(ec == http::error::end_of_stream);
}

TEST_CASE("a client that keeps sending after its 431 is cut off") {
  // What the node drops after its answer is bounded (1 MiB): a client
  // still sending 64 MiB later is no slow client but a flood.
  test::test_node n;
  connection c{n};
  auto& s = c.s;
  s.expires_after(60s);
  net::write(s, net::buffer("GET /ws HTTP/1.1\r\nHost: x\r\nX-Big: " +
                            std::string(20 * 1024, 'a')));
  const std::string piece(64 * 1024, 'a');
  transport::error_code ec;
  size_t sent = 0;
  while (!ec && sent < 64 * 1024 * 1024)
    sent += net::write(s, net::buffer(piece), ec);
  CHECK(ec);
  INFO(sent << " bytes sent before the node cut the connection");
  CHECK(sent < 64 * 1024 * 1024);
}

TEST_CASE("a request that stalls midway is answered 408 and closed") {
  // Cut without an answer, its client would see a reset (its bytes unread
  // at the node) and no reason.
  test::test_node n{
      [](config::options& o) { o.lim.handshake_timeout_ms = 300; }};
  connection c{n};
  CHECK(test::stall_for_408(c.s) == http::error::end_of_stream);
}

TEST_CASE("a connection that sends nothing is closed without an answer") {
  test::test_node n{
      [](config::options& o) { o.lim.handshake_timeout_ms = 300; }};
  connection c{n};
  auto& [ioc, s, buffer] = c;
  http::response<http::string_body> res;
  transport::error_code ec;
  http::read(s, buffer, res, ec);
  CHECK(ec == http::error::end_of_stream);
}
