// Admission before the upgrade: origins, connections per address and in
// all, connection attempts per second, and a user's hook, each refusing
// with its HTTP status (or, for a full node, CLOSE 9 after the upgrade)
// before a connection actor exists.

#include <catch2/catch.hpp>

#include "tether/tests/support/calls.hpp"
#include "tether/tests/support/http_call.hpp"
#include "tether/tests/support/test_node.hpp"
#include "tether/transport/beast.hpp"

using namespace tether;
using namespace std::chrono_literals;
using codec::value;

namespace {

namespace net = transport::net;
namespace http = transport::http;

/// The HTTP status a WebSocket upgrade to `at` gets with `headers` (101:
/// upgraded; 0: no answer). Written by hand: Beast's client keeps no
/// status of an upgrade it was refused.
unsigned
upgrade_status(const client::endpoint& at,
               std::vector<std::pair<std::string, std::string>> headers = {}) {
  net::io_context ioc;
  transport::beast::tcp_stream s{ioc};
  transport::error_code ec;
  s.expires_after(10s);
  s.connect(transport::tcp::endpoint{net::ip::make_address(at.host), at.port},
            ec);
  if (ec)
    return 0;
  http::request<http::empty_body> req{http::verb::get, at.path, 11};
  req.set(http::field::host, at.host);
  req.set(http::field::upgrade, "websocket");
  req.set(http::field::connection, "Upgrade");
  req.set(http::field::sec_websocket_version, "13");
  req.set(http::field::sec_websocket_key, "dGhlIHNhbXBsZSBub25jZQ==");
  for (const auto& [name, text] : headers)
    req.set(name, text);
  http::write(s, req, ec);
  transport::beast::flat_buffer buffer;
  http::response_parser<http::string_body> res;
  res.skip(true); // A 101 has no body; a refusal's is not needed.
  if (!ec)
    http::read_header(s, buffer, res, ec);
  return ec ? 0 : res.get().result_int();
}

test::test_node node_with(std::function<void(config::options&)> change,
                          test::test_node::setup before = {}) {
  return test::test_node{std::move(change), std::move(before)};
}

} // namespace

TEST_CASE("a browser from an origin not allowed gets 403 and others pass") {
  auto n = node_with([](config::options& o) {
    o.allowed_origins = {"https://app.example.com"};
  });
  CHECK(upgrade_status(n.where(), {{"Origin", "https://evil.example.com"}}) ==
        403);
  CHECK(upgrade_status(n.where(), {{"Origin", "https://app.example.com"}}) ==
        101);
  // Not a browser: no Origin to judge.
  CHECK(upgrade_status(n.where()) == 101);
  // Operators' paths are not client endpoints.
  CHECK(test::http_call(n.where(), "GET", "/health").status == 200);
}

TEST_CASE("connections from one address over the limit get 429 until one "
          "closes") {
  auto n = node_with([](config::options& o) { o.max_connections_per_ip = 3; });
  client::io_thread io;
  std::vector<std::shared_ptr<client::client>> held;
  for (int i = 0; i < 3; ++i)
    held.push_back(test::join(io, n.where()));
  CHECK(upgrade_status(n.where()) == 429);
  CHECK(test::http_call(n.where(), "GET", "/health").status == 429);
  held.back()->close();
  held.pop_back();
  CHECK(test::eventually([&] { return upgrade_status(n.where()) == 101; }, 5s));
  // The ones held all along still work.
  CHECK(test::call_ok(*held.front(), "sys.echo", value::of(1)) == value::of(1));
}

TEST_CASE("a full node closes a new WebSocket with CLOSE 9 after the upgrade") {
  auto n = node_with([](config::options& o) { o.max_total_connections = 2; });
  client::io_thread io;
  auto a = test::join(io, n.where());
  auto b = test::join(io, n.where());
  auto c = client::client::connect(io, n.where());
  REQUIRE(c);
  CHECK(test::close_code_of(*c) == 9);
  // Those admitted before are served on, and /health still answers.
  CHECK(test::call_ok(*a, "sys.echo", value::of(2)) == value::of(2));
  CHECK(test::http_call(n.where(), "GET", "/health").status == 200);
  b->close();
  CHECK(test::eventually(
      [&] {
        auto d = client::client::connect(io, n.where());
        return d && d->hello();
      },
      5s));
}

TEST_CASE("connection attempts from one address over the rate get 429") {
  auto n = node_with([](config::options& o) {
    o.connect_rate_per_ip = 1;
    o.connect_burst_per_ip = 3;
  });
  int upgraded = 0;
  int refused = 0;
  for (int i = 0; i < 10; ++i) {
    auto status = upgrade_status(n.where());
    upgraded += status == 101;
    refused += status == 429;
  }
  // The burst, and one more for each second the attempts took.
  CHECK(upgraded >= 3);
  CHECK(refused >= 1);
  CHECK(upgraded + refused == 10);
}

TEST_CASE("a user's admission hook refuses with its own status and reason") {
  auto n = node_with({}, [](runtime& rt) {
    rt.set_admission_hook([](const transport::admission_request& r) {
      if (r.header("x-tenant") == "banned")
        return transport::admission_verdict{451, "tenant banned\n"};
      return transport::admission_verdict{};
    });
  });
  CHECK(upgrade_status(n.where(), {{"X-Tenant", "welcome"}}) == 101);
  CHECK(upgrade_status(n.where(), {{"X-Tenant", "banned"}}) == 451);
}
