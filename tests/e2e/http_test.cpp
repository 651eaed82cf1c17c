// The node's HTTP side over a real socket: a connection kept alive answers
// request after request, pipelined ones too, in order.

#include <catch2/catch.hpp>

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
