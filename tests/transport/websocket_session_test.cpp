// The WebSocket side of a connection, over Beast's in-memory stream: whole
// messages out of partial reads, the size limit, the peer going, the write
// queue's order and byte accounting, and the pause on unhandled messages.

#include <catch2/catch.hpp>

#include <numeric>
#include <string>
#include <vector>

#include "tether/tests/transport/loopback.hpp"

using namespace tether;
using transport::make_shared_bytes;
using transport::net::buffer;

namespace {

/// Settings small enough to reach every limit in a test.
transport::settings small_settings() {
  transport::settings cfg;
  cfg.max_message = 100;
  cfg.max_unhandled = 3;
  return cfg;
}

/// Bytes that differ from place to place, so that a reordered or repeated
/// piece shows.
std::string pattern(size_t n) {
  std::string s(n, '\0');
  for (size_t i = 0; i < n; ++i)
    s[i] = static_cast<char>('a' + (i * 7 + i / 26) % 26);
  return s;
}

uint64_t total_size(const std::vector<std::string>& messages) {
  return std::accumulate(
      messages.begin(), messages.end(), uint64_t{0},
      [](uint64_t sum, const std::string& m) { return sum + m.size(); });
}

} // namespace

TEST_CASE("a message written in tiny pieces is delivered whole") {
  auto cfg = small_settings();
  cfg.max_message = 1 << 16;
  // The server's end reads at most 3 bytes at a time, from the upgrade
  // request on; the client writes at most 5 at a time, in frames of 8 bytes.
  test::loopback peer{cfg, 3};
  peer.client.write_size(5);
  REQUIRE(peer.upgrade());
  REQUIRE(peer.handler);
  peer.ws.binary(true);
  peer.ws.auto_fragment(true);
  peer.ws.write_buffer_bytes(8);
  auto message = pattern(3000);
  peer.ws.write(buffer(message));
  peer.run();
  REQUIRE(peer.handler->messages.size() == 1);
  CHECK(peer.handler->messages[0].bytes == message);
  CHECK(peer.handler->messages[0].binary);
  CHECK(peer.handler->closed.empty());
}

TEST_CASE("a message over max_message calls on_too_large and stops "
          "reading") {
  test::loopback peer{small_settings()};
  REQUIRE(peer.upgrade());
  peer.ws.binary(true);
  // At the limit is still a message.
  peer.ws.write(buffer(pattern(100)));
  peer.run();
  REQUIRE(peer.handler->messages.size() == 1);
  CHECK(peer.handler->too_large == 0);
  peer.ws.write(buffer(pattern(101)));
  peer.ws.write(buffer(std::string("after")));
  peer.run();
  CHECK(peer.handler->too_large == 1);
  // Neither the rest of the big one nor the next was read.
  CHECK(peer.handler->messages.size() == 1);
  CHECK(peer.handler->closed.empty());
}

TEST_CASE("a message in more than max_fragments frames calls on_too_large") {
  auto cfg = small_settings();
  cfg.max_fragments = 10;
  test::loopback peer{cfg};
  REQUIRE(peer.upgrade());
  peer.ws.binary(true);
  auto send_in = [&](int pieces) {
    for (int i = 1; i < pieces; ++i)
      peer.ws.write_some(false, buffer(std::string("x")));
    peer.ws.write_some(true, buffer(std::string("y")));
    peer.run();
  };
  // At the limit is still a message.
  send_in(10);
  REQUIRE(peer.handler->messages.size() == 1);
  CHECK(peer.handler->messages[0].bytes == "xxxxxxxxxy");
  CHECK(peer.handler->too_large == 0);
  send_in(11);
  CHECK(peer.handler->too_large == 1);
  CHECK(peer.handler->messages.size() == 1);
}

TEST_CASE("a close code of 5000 or more is answered with 1002 and not echoed") {
  auto code = GENERATE(5000, 65535);
  test::loopback peer{small_settings()};
  REQUIRE(peer.upgrade());
  transport::error_code ec = transport::net::error::would_block;
  peer.ws.async_close(transport::websocket::close_reason(
                          static_cast<transport::websocket::close_code>(code)),
                      [&](transport::error_code e) { ec = e; });
  peer.run();
  CHECK_FALSE(ec);
  CHECK(peer.ws.reason().code ==
        transport::websocket::close_code::protocol_error);
  CHECK(peer.handler->closed.size() == 1);
}

TEST_CASE("a valid close code of the private range is echoed") {
  test::loopback peer{small_settings()};
  REQUIRE(peer.upgrade());
  peer.ws.async_close(transport::websocket::close_reason(
                          static_cast<transport::websocket::close_code>(4999)),
                      [](transport::error_code) {});
  peer.run();
  CHECK(peer.ws.reason().code == 4999);
  CHECK(peer.handler->closed.size() == 1);
}

TEST_CASE("the peer going in the middle of a message closes the channel "
          "once and delivers no message") {
  test::loopback peer{small_settings()};
  REQUIRE(peer.upgrade());
  peer.ws.binary(true);
  // The first frame of a message, not its last.
  peer.ws.write_some(false, buffer(std::string(40, 'x')));
  peer.run();
  CHECK(peer.handler->messages.empty());
  REQUIRE(peer.handler->closed.empty());
  SECTION("by ending the stream") {
    peer.client.close();
  }
  SECTION("by a WebSocket close") {
    peer.ws.async_close(transport::websocket::close_code::going_away,
                        [](transport::error_code) {});
  }
  peer.run();
  CHECK(peer.handler->closed.size() == 1);
  CHECK(peer.handler->messages.empty());
  // The owner's own close, once the channel is gone, changes nothing.
  peer.channel->close(make_shared_bytes("bye"));
  peer.run();
  CHECK(peer.handler->closed.size() == 1);
}

TEST_CASE("send then close(last) writes in order with last last and then a "
          "WebSocket close and retires every byte sent exactly once") {
  test::loopback peer{small_settings()};
  REQUIRE(peer.upgrade());
  peer.read_messages();
  std::vector<std::string> sent = {pattern(10), pattern(20), "last"};
  auto& ch = *peer.channel;
  for (const auto& m : sent)
    if (m == "last")
      ch.close(make_shared_bytes(m));
    else
      ch.send(make_shared_bytes(m));
  // Too late: dropped, but retired all the same. Before the fix, a second
  // close's message stayed counted as queued for good.
  std::vector<std::string> dropped = {pattern(30), pattern(40)};
  ch.send(make_shared_bytes(dropped[0]));
  ch.close(make_shared_bytes(dropped[1]));
  peer.run();
  CHECK(peer.received == sent);
  CHECK(peer.read_error == transport::websocket::error::closed);
  REQUIRE(peer.handler->closed.size() == 1);
  CHECK(ch.retired_bytes() == total_size(sent) + total_size(dropped));
  // After the socket finished, too.
  ch.send(make_shared_bytes(pattern(50)));
  peer.run();
  CHECK(ch.retired_bytes() == total_size(sent) + total_size(dropped) + 50);
}

TEST_CASE("messages still queued when the peer goes are retired") {
  test::loopback peer{small_settings()};
  REQUIRE(peer.upgrade());
  std::vector<std::string> sent = {pattern(10), pattern(20), pattern(30),
                                   pattern(40)};
  for (const auto& m : sent)
    peer.channel->send(make_shared_bytes(m));
  // The peer goes before the socket's executor has written anything: the
  // first message is in flight when the read sees the end, the rest queued.
  peer.client.close();
  uint64_t retired_when_closed = 0;
  peer.handler->when_closed = [&] {
    retired_when_closed = peer.channel->retired_bytes();
  };
  peer.run();
  REQUIRE(peer.handler->closed.size() == 1);
  // Already when the owner hears of it, not only once the aborted write
  // completes.
  CHECK(retired_when_closed == total_size(sent));
  CHECK(peer.channel->retired_bytes() == total_size(sent));
}

TEST_CASE("notify_when_below calls on_drained once the queue is below the "
          "mark") {
  test::loopback peer{small_settings()};
  REQUIRE(peer.upgrade());
  peer.read_messages();
  SECTION("at once when already below") {
    peer.channel->notify_when_below(1);
    peer.run();
    CHECK(peer.handler->drained == 1);
  }
  SECTION("after the write that brings it below") {
    peer.channel->send(make_shared_bytes(pattern(60)));
    peer.channel->send(make_shared_bytes(pattern(60)));
    peer.channel->notify_when_below(50);
    peer.run();
    CHECK(peer.received.size() == 2);
    CHECK(peer.handler->drained == 1);
  }
}

TEST_CASE("reading pauses at max_unhandled messages and resumes on "
          "messages_handled") {
  test::loopback peer{small_settings()};
  REQUIRE(peer.upgrade());
  for (int i = 0; i < 6; ++i)
    peer.ws.write(buffer(std::to_string(i)));
  peer.run();
  CHECK(peer.handler->messages.size() == 3);
  // One handled: one more read, then paused again.
  peer.channel->messages_handled(1);
  peer.run();
  CHECK(peer.handler->messages.size() == 4);
  // Everything handled: the last two are read, and a read waits.
  peer.channel->messages_handled(3);
  peer.run();
  REQUIRE(peer.handler->messages.size() == 6);
  for (int i = 0; i < 6; ++i)
    CHECK(peer.handler->messages[i].bytes == std::to_string(i));
  // A report of more than were delivered counts as all handled: it leaves
  // no credit for later messages (the limit would lift) and does not wrap
  // the count around (reading would stop for good). Two unhandled become
  // none, so three more are read, then reading pauses.
  peer.channel->messages_handled(100);
  peer.run();
  for (int i = 6; i < 10; ++i)
    peer.ws.write(buffer(std::to_string(i)));
  peer.run();
  CHECK(peer.handler->messages.size() == 9);
}
