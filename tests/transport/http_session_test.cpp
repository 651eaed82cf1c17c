// The HTTP side of a connection, over Beast's in-memory stream: the plain
// answers, the request size limit, and the upgrade that makes a handler.

#include <catch2/catch.hpp>

#include <string>

#include "tether/tests/transport/loopback.hpp"

using namespace tether;
using transport::http::status;

namespace {

/// A GET with `extra` headers; without a Connection header of its own it
/// asks for the connection to close after its answer.
std::string get(const std::string& target, const std::string& extra = "") {
  auto connection = extra.find("Connection:") == std::string::npos
                        ? "Connection: close\r\n"
                        : "";
  return "GET " + target + " HTTP/1.1\r\nHost: localhost\r\n" + connection +
         extra + "\r\n";
}

/// The headers of a WebSocket upgrade (RFC 6455's sample key).
const std::string upgrade_headers =
    "Upgrade: websocket\r\n"
    "Connection: Upgrade\r\n"
    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
    "Sec-WebSocket-Version: 13\r\n";

/// Sends `request` to a fresh server and checks that it answers with a
/// plain `expected`, then ends the stream, and makes no handler. Returns the
/// body.
std::string plain_answer(const std::string& request, status expected) {
  test::loopback peer;
  auto res = peer.exchange(request);
  CHECK(res.result() == expected);
  CHECK(peer.server_closed());
  CHECK(peer.handlers_made == 0);
  return res.body();
}

} // namespace

TEST_CASE("GET /health answers 200 ok and closes") {
  CHECK(plain_answer(get("/health"), status::ok) == "ok\n");
}

TEST_CASE("an unknown path answers 404") {
  plain_answer(get("/nothing-here?x=1"), status::not_found);
}

TEST_CASE("an upgrade on another path than the WebSocket's answers 404") {
  plain_answer(get("/other", upgrade_headers), status::not_found);
}

TEST_CASE("the WebSocket path without an upgrade answers 426") {
  plain_answer(get("/ws"), status::upgrade_required);
}

TEST_CASE("an upgrade makes one handler with the connection's number") {
  test::loopback peer;
  auto res = peer.exchange(get("/ws?v=1", upgrade_headers));
  CHECK(res.result() == status::switching_protocols);
  CHECK(peer.handlers_made == 1);
  CHECK(peer.number_seen == test::loopback::number);
  REQUIRE(peer.channel);
  CHECK(peer.channel->remote() == "test");
  CHECK_FALSE(peer.server_closed());
}

TEST_CASE("a request whose headers pass 16 KiB is refused without a "
          "handler") {
  // Just under the limit upgrades, so it is the size that refuses the other.
  auto padded = [](size_t n) {
    return get("/ws",
               upgrade_headers + "X-Padding: " + std::string(n, 'p') + "\r\n");
  };
  SECTION("15 KiB of headers upgrade") {
    test::loopback peer;
    auto res = peer.exchange(padded(15 * 1024));
    CHECK(res.result() == status::switching_protocols);
    CHECK(peer.handlers_made == 1);
  }
  SECTION("17 KiB of headers are refused with 431") {
    test::loopback peer;
    auto res = peer.exchange(padded(17 * 1024));
    CHECK(res.result() == status::request_header_fields_too_large);
    CHECK(peer.server_closed());
    CHECK(peer.handlers_made == 0);
  }
  SECTION("17 KiB of headers read in pieces are refused with 431 too") {
    // The parser has taken the request line and the first headers by the
    // time the limit is reached (this answered 414 URL too long).
    test::loopback peer{transport::settings{}, 512};
    auto res = peer.exchange(padded(17 * 1024));
    CHECK(res.result() == status::request_header_fields_too_large);
    CHECK(peer.handlers_made == 0);
  }
}

TEST_CASE("a URL past 16 KiB is refused with 414, a body with 413") {
  CHECK_FALSE(
      plain_answer(get("/" + std::string(17 * 1024, 'u')), status::uri_too_long)
          .empty());
  CHECK_FALSE(plain_answer("POST /api/v1/drain HTTP/1.1\r\nHost: x\r\n"
                           "Content-Length: 20000\r\n\r\n" +
                               std::string(20000, 'b'),
                           status::payload_too_large)
                  .empty());
}
