// The connection layer over real sockets: HELLO/WELCOME, heartbeats,
// timeouts and the CLOSE codes for bad input.

#include <filesystem>
#include <sched.h>
#include <string>

#include <catch2/catch.hpp>

#include "tether/codec/encode.hpp"
#include "tether/tests/support/test_node.hpp"

using namespace tether;
using namespace std::chrono_literals;

TEST_CASE("WELCOME reports the node and the connection and the limits") {
  test::test_node n{[](config::options& o) {
    o.lim.max_inflight = 77;
    o.lim.heartbeat_ms = 4321;
  }};
  client::io_thread io;
  auto c = n.connect(io);
  auto w = c->hello();
  REQUIRE(w);
  CHECK(w->version == 1);
  CHECK(w->node == "test-node");
  CHECK_FALSE(w->conn.empty());
  CHECK(w->heartbeat_ms == 4321);
  CHECK(test::field<uint64_t>(w->limits, "max_inflight") == 77);
  CHECK(test::field<uint64_t>(w->limits, "max_message") == 1 << 20);
  for (auto key : {"max_streams", "session_ttl_s", "ack_every", "lossy_after",
                   "max_fragments", "max_batch_frames"})
    CHECK(test::field<uint64_t>(w->limits, key) > 0);
  // A second connection has its own id.
  auto w2 = n.join(io);
  REQUIRE(w2);
}

TEST_CASE("a connection's ids differ") {
  test::test_node n;
  client::io_thread io;
  auto a = n.connect(io)->hello();
  auto b = n.connect(io)->hello();
  REQUIRE(a);
  REQUIRE(b);
  CHECK(a->conn != b->conn);
}

TEST_CASE("a first frame other than HELLO gets CLOSE 2") {
  test::test_node n;
  client::io_thread io;
  auto c = n.connect(io);
  c->send(codec::request{1, "sys.echo", {}});
  CHECK(test::close_code_of(*c) == 2);
}

TEST_CASE("an unsupported version gets CLOSE 1") {
  test::test_node n;
  client::io_thread io;
  auto c = n.connect(io);
  c->send(codec::hello{2, "future-client", {}});
  CHECK(test::close_code_of(*c) == 1);
}

TEST_CASE("HELLO twice gets CLOSE 2") {
  test::test_node n;
  client::io_thread io;
  auto c = n.join(io);
  c->send(codec::hello{1, "again", {}});
  CHECK(test::close_code_of(*c) == 2);
}

TEST_CASE("no HELLO within the handshake timeout gets CLOSE 3") {
  test::test_node n{
      [](config::options& o) { o.lim.handshake_timeout_ms = 150; }};
  client::io_thread io;
  auto c = n.connect(io);
  CHECK(test::close_code_of(*c) == 3);
}

TEST_CASE("a text message gets CLOSE 2") {
  test::test_node n;
  client::io_thread io;
  auto c = n.join(io);
  c->send_raw(R"({"op": "sys.echo"})", false);
  CHECK(test::close_code_of(*c) == 2);
}

TEST_CASE("a text message that is not UTF-8 ends the connection") {
  // RFC 6455 makes the WebSocket layer fail such a message itself (1007),
  // before the node can send a CLOSE frame.
  test::test_node n;
  client::io_thread io;
  auto c = n.join(io);
  c->send_raw(codec::encode(codec::request{1, "sys.echo", {}}), false);
  c->wait_closed(5s);
  CHECK(c->closed());
}

TEST_CASE("malformed bytes get CLOSE 2") {
  const std::vector<std::string> bad = {
      std::string{"\xc1", 1},                   // never valid msgpack
      std::string{"\x93\x0a\x01", 3},           // truncated REQUEST
      std::string{"\x91\x63", 2},               // unknown kind 99
      std::string{"\x92\x0a\x01", 3},           // REQUEST missing fields
      std::string{"\x94\x0a\xa1x\xa1y\xc0", 7}, // id is a string
      std::string{"\x80", 1},                   // a map, not a frame
  };
  test::test_node n;
  client::io_thread io;
  for (const auto& bytes : bad) {
    auto c = n.join(io);
    c->send_raw(bytes);
    CHECK(test::close_code_of(*c) == 2);
  }
}

TEST_CASE("trailing bytes after a valid frame get CLOSE 2") {
  test::test_node n;
  client::io_thread io;
  auto c = n.join(io);
  auto bytes = codec::encode(codec::request{1, "sys.echo", {}});
  bytes += "\x93\x0a";
  c->send_raw(bytes);
  CHECK(test::close_code_of(*c) == 2);
}

TEST_CASE("frames only nodes send get CLOSE 2") {
  test::test_node n;
  client::io_thread io;
  auto c = n.join(io);
  c->send(codec::room_message{"r", "s", "n", {}});
  CHECK(test::close_code_of(*c) == 2);
}

TEST_CASE("a message over max_message gets CLOSE 4") {
  test::test_node n{[](config::options& o) { o.lim.max_message = 1024; }};
  client::io_thread io;
  auto c = n.join(io);
  // Exactly the limit is fine.
  auto base = codec::encode(
      codec::request{1, "sys.echo", codec::value::of(std::string{})});
  // A str of 256 bytes or more takes 3 header bytes instead of base's one.
  auto payload = codec::value::of(std::string(1024 - base.size() - 2, 'x'));
  auto exact = codec::encode(codec::request{1, "sys.echo", payload});
  REQUIRE(exact.size() == 1024);
  c->send_raw(exact);
  CHECK(test::expect<codec::reply>(*c).payload == payload);
  c->send(
      codec::request{2, "sys.echo", codec::value::of(std::string(4096, 'x'))});
  CHECK(test::close_code_of(*c) == 4);
}

TEST_CASE("a batch over max_batch_frames gets CLOSE 4") {
  test::test_node n{[](config::options& o) { o.lim.max_batch_frames = 4; }};
  client::io_thread io;
  auto c = n.join(io);
  auto batch = [](size_t n) {
    std::vector<codec::frame> frames(n, codec::heartbeat{0, 0});
    frames.back() = codec::request{n, "sys.echo", codec::value::of(n)};
    return frames;
  };
  // Exactly the limit is fine.
  c->send(batch(4));
  CHECK(test::expect<codec::reply>(*c).payload == codec::value::of(4));
  c->send(batch(5));
  CHECK(test::close_code_of(*c) == 4);
}

TEST_CASE("the node sends HEARTBEAT when it has nothing else to send") {
  test::test_node n{[](config::options& o) { o.lim.heartbeat_ms = 100; }};
  client::io_thread io;
  auto c = n.join(io);
  auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < 2; ++i) {
    c->send(codec::heartbeat{0, 0}); // keeps the connection alive
    auto hb = test::expect<codec::heartbeat>(*c, 2s);
    CHECK(hb.load <= 65535);
    CHECK(hb.time > 1700000000);
  }
  CHECK(std::chrono::steady_clock::now() - start >= 150ms);
}

TEST_CASE("a client silent for three heartbeat intervals gets CLOSE 3") {
  test::test_node n{[](config::options& o) { o.lim.heartbeat_ms = 100; }};
  client::io_thread io;
  auto c = n.join(io);
  auto start = std::chrono::steady_clock::now();
  CHECK(test::close_code_of(*c) == 3);
  CHECK(std::chrono::steady_clock::now() - start >= 250ms);
}

TEST_CASE("a client that sends heartbeats stays connected") {
  test::test_node n{[](config::options& o) { o.lim.heartbeat_ms = 100; }};
  client::io_thread io;
  auto c = n.join(io);
  auto until = std::chrono::steady_clock::now() + 600ms;
  while (std::chrono::steady_clock::now() < until) {
    c->send(codec::heartbeat{0, 0});
    auto f = c->next(50ms);
    REQUIRE_FALSE((f && std::holds_alternative<codec::close>(*f)));
  }
  CHECK_FALSE(c->closed());
}

TEST_CASE("CLOSE from the client ends the connection") {
  test::test_node n;
  client::io_thread io;
  auto c = n.join(io);
  c->send(codec::close{0, "bye", ""});
  CHECK(c->wait_closed(5s) == std::nullopt);
  CHECK(c->closed());
}

namespace {

/// The threads of this process whose scheduling policy is SCHED_BATCH.
int batch_threads() {
  int n = 0;
  for (const auto& task :
       std::filesystem::directory_iterator{"/proc/self/task"}) {
    auto tid = std::stoi(task.path().filename().string());
    if (sched_getscheduler(tid) == SCHED_BATCH)
      ++n;
  }
  return n;
}

} // namespace

TEST_CASE("the node's I/O and actor threads run as SCHED_BATCH unless told "
          "not to") {
  int before = batch_threads();
  {
    test::test_node n{[](config::options& o) {
      o.io_threads = 2;
      o.actor_threads = 2;
    }};
    client::io_thread io;
    auto c = n.join(io); // The threads have started and served a client.
    // Two I/O threads, two actor workers, and CAF's own (its clock).
    CHECK(batch_threads() - before >= 4);
  }
  test::test_node n{[](config::options& o) { o.sched_batch = false; }};
  client::io_thread io;
  auto c = n.join(io);
  CHECK(batch_threads() == before);
}
