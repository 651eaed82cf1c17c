// Long polling over real sockets: the same test bodies over a WebSocket and
// over polling (handshake, requests, signals, streams, sessions and
// resume), a stream resumed across the two, a slow poller closed as a slow
// reader is, polling over TLS, and the HTTP rules of `/poll` themselves
// (statuses, waits, a newer GET, the end of a connection).

#include <chrono>
#include <future>
#include <string>
#include <variant>
#include <vector>

#include <catch2/catch.hpp>

#include "tether/codec/decode.hpp"
#include "tether/codec/encode.hpp"
#include "tether/tests/support/calls.hpp"
#include "tether/tests/support/certificates.hpp"
#include "tether/tests/support/http_call.hpp"
#include "tether/tests/support/test_node.hpp"

using namespace tether;
using namespace std::chrono_literals;
using codec::value;

namespace {

/// `n`'s client endpoint, over a WebSocket or by long polling.
client::endpoint over(const test::test_node& n, bool polling) {
  auto where = n.where();
  if (polling) {
    where.polling = true;
    where.path = "/poll";
  }
  return where;
}

const char* name_of(bool polling) {
  return polling ? "over long polling" : "over a WebSocket";
}

std::string batch_of(const std::vector<codec::frame>& frames) {
  std::string out;
  for (const auto& f : frames)
    codec::encode(f, out);
  return out;
}

std::vector<codec::frame> frames_of(const std::string& body) {
  auto decoded = codec::decode_batch(body.data(), body.size());
  REQUIRE(std::holds_alternative<std::vector<codec::frame>>(decoded));
  return std::get<std::vector<codec::frame>>(decoded);
}

/// A poll connection driven by hand, one HTTP request at a time.
struct raw_poll {
  client::endpoint at;
  std::string conn;

  /// `POST /poll` with HELLO: the frames of its 200 answer.
  std::vector<codec::frame> open() {
    auto r = post("/poll", {codec::hello{1, "raw", {}}});
    REQUIRE(r.status == 200);
    CHECK(r.content_type == "application/msgpack");
    auto frames = frames_of(r.body);
    REQUIRE(!frames.empty());
    auto* w = std::get_if<codec::welcome>(&frames.front());
    REQUIRE(w);
    conn = w->conn;
    return frames;
  }

  test::http_result post(const std::string& target,
                         const std::vector<codec::frame>& frames) const {
    return test::http_call(at, "POST", target, {}, batch_of(frames),
                           "application/msgpack");
  }

  test::http_result send(const std::vector<codec::frame>& frames) const {
    return post("/poll/" + conn, frames);
  }

  test::http_result get(unsigned wait_ms) const {
    return test::http_call(
        at, "GET", "/poll/" + conn + "?wait_ms=" + std::to_string(wait_ms));
  }
};

/// The next frame other than HEARTBEAT, which must be a `Frame`.
template <class Frame> Frame next_of(client::client& c) {
  return test::expect<Frame>(c);
}

} // namespace

TEST_CASE("Handshake and requests and signals and streams work over both "
          "transports",
          "[polling]") {
  auto polling = GENERATE(false, true);
  DYNAMIC_SECTION(name_of(polling)) {
    test::test_node n;
    client::io_thread io;
    auto c = client::client::connect(io, over(n, polling));
    REQUIRE(c);
    auto w = c->hello();
    REQUIRE(w);
    CHECK(w->node == "test-node");
    // A poll connection's id is its only credential: it ends with random
    // characters.
    CHECK((w->conn.find('.') != std::string::npos) == polling);

    CHECK(test::call_ok(*c, "sys.echo", value::of(std::string{"hi"})) ==
          value::of(std::string{"hi"}));

    auto parts = test::call(
        *c, "sys.stream",
        test::map_of({{"count", value::of(3)}, {"size", value::of(1000)}}));
    REQUIRE(parts.what == client::answer::kind::parts);
    CHECK(parts.parts.size() == 3);

    auto upload =
        c->call_stream("sys.sink", {value::of(std::string(500, 'a')),
                                    value::of(std::string(700, 'b'))});
    REQUIRE(upload.wait_for(5s) == std::future_status::ready);
    auto sunk = upload.get();
    REQUIRE(sunk.ok());
    CHECK(test::field<uint64_t>(sunk.payload, "parts") == 2);

    CHECK(test::call(*c, "sys.push",
                     test::map_of({{"name", value::of(std::string{"tick"})},
                                   {"payload", value::of(7)},
                                   {"count", value::of(3)}}))
              .ok());
    for (int i = 0; i < 3; ++i)
      CHECK(next_of<codec::signal>(*c).name == "tick");

    // A message too large closes with CLOSE 4, as a WebSocket's does.
    c->send(codec::signal{"big", value::of(std::string(2 << 20, 'x'))});
    CHECK(test::close_code_of(*c) == 4);
  }
}

TEST_CASE("A session resumes over both transports", "[polling]") {
  auto polling = GENERATE(false, true);
  DYNAMIC_SECTION(name_of(polling)) {
    test::test_node n;
    client::io_thread io;
    auto first = test::join(io, over(n, polling));
    first->auto_ack(0);
    auto s = first->open_session();
    REQUIRE(s);
    REQUIRE(test::call(*first, "sys.push",
                       test::map_of({{"name", value::of(std::string{"n"})},
                                     {"payload", value::of(1)},
                                     {"count", value::of(5)}}))
                .ok());
    for (int i = 0; i < 5; ++i)
      next_of<codec::signal>(*first);
    // Two processed, three to be replayed; then the network fails.
    first->abort();

    auto second = test::join(io, over(n, polling));
    std::string error;
    auto r = second->resume_session(s->stream_token, s->last_seq + 3, &error);
    INFO(error);
    REQUIRE(r);
    CHECK(r->resumed);
    for (int i = 0; i < 3; ++i)
      CHECK(next_of<codec::signal>(*second).name == "n");
    CHECK(second->gaps() == 0);
    CHECK(second->duplicates() == 0);
    CHECK(test::call_ok(*second, "sys.echo", value::of(1)) == value::of(1));
  }
}

TEST_CASE("A stream resumes from a WebSocket to polling and back",
          "[polling]") {
  test::test_node n;
  client::io_thread io;
  auto push = [](client::client& c, const std::string& name) {
    REQUIRE(test::call(c, "sys.push",
                       test::map_of({{"name", value::of(name)},
                                     {"payload", value::of(1)},
                                     {"count", value::of(2)}}))
                .ok());
  };
  auto ws = test::join(io, over(n, false));
  ws->auto_ack(0);
  auto s = ws->open_session();
  REQUIRE(s);
  push(*ws, "over-ws");
  for (int i = 0; i < 2; ++i)
    CHECK(next_of<codec::signal>(*ws).name == "over-ws");
  // The signals (after sys.push's REPLY, seq 1) were read but never
  // acknowledged: the resume replays them.
  auto replayed_from = s->last_seq + 1;
  ws->abort();

  auto poll = test::join(io, over(n, true));
  poll->auto_ack(0);
  auto r = poll->resume_session(s->stream_token, replayed_from);
  REQUIRE(r);
  CHECK(r->resumed);
  for (int i = 0; i < 2; ++i)
    CHECK(next_of<codec::signal>(*poll).name == "over-ws");
  push(*poll, "over-poll");
  for (int i = 0; i < 2; ++i)
    CHECK(next_of<codec::signal>(*poll).name == "over-poll");
  auto seen = poll->last_seq();
  poll->abort();

  auto back = test::join(io, over(n, false));
  auto again = back->resume_session(r->stream_token, seen - 2);
  REQUIRE(again);
  CHECK(again->resumed);
  for (int i = 0; i < 2; ++i)
    CHECK(next_of<codec::signal>(*back).name == "over-poll");
  CHECK(back->gaps() == 0);
}

TEST_CASE("Polling over TLS", "[polling]") {
  test::temp_dir dir;
  auto made = test::issue(dir, "ca", "node");
  test::test_node n{[&](config::options& o) {
    o.tls_cert = made.cert;
    o.tls_key = made.key;
  }};
  client::io_thread io;
  auto where = over(n, true);
  where.tls = true;
  where.tls_options.ca_file = test::make_ca(dir, "ca").cert;
  auto c = test::join(io, where);
  CHECK(test::call_ok(*c, "sys.echo", value::of(std::string{"secure"})) ==
        value::of(std::string{"secure"}));
  // And a URL says the same.
  std::string error;
  auto by_url = client::client::open(
      io, "https://127.0.0.1:" + std::to_string(where.port), error, {},
      where.tls_options);
  INFO(error);
  REQUIRE(by_url);
}

TEST_CASE("A slow poller is closed with CLOSE 7 as a slow reader is",
          "[polling]") {
  // It keeps the connection alive with HEARTBEATs but fetches the node's
  // frames only every second, three heartbeat intervals and more.
  test::test_node n{[](config::options& o) { o.lim.heartbeat_ms = 300; }};
  raw_poll p{over(n, true), {}};
  p.open();
  REQUIRE(
      p.send({codec::request{
                 1, "sys.push",
                 test::map_of({{"name", value::of(std::string{"t"})},
                               {"payload", value::of(std::string(1000, 'x'))},
                               {"count", value::of(100000)}})}})
          .status == 204);
  std::optional<uint64_t> code;
  uint64_t signals = 0;
  auto deadline = std::chrono::steady_clock::now() + 15s;
  auto last_get = std::chrono::steady_clock::now();
  while (!code && std::chrono::steady_clock::now() < deadline) {
    REQUIRE(p.send({codec::heartbeat{0, 0}}).status == 204);
    std::this_thread::sleep_for(100ms);
    if (std::chrono::steady_clock::now() - last_get < 1s)
      continue;
    last_get = std::chrono::steady_clock::now();
    auto r = p.get(0);
    if (r.status != 200)
      continue;
    for (auto& f : frames_of(r.body)) {
      if (auto c = std::get_if<codec::close>(&f))
        code = c->code;
      signals += std::holds_alternative<codec::signal>(f);
    }
  }
  INFO(signals << " signals fetched before the end");
  REQUIRE(code);
  CHECK(*code == 7);
  CHECK(signals < 100000);
  // Its CLOSE fetched, the connection is gone.
  CHECK(p.get(0).status == 404);
  CHECK(p.send({codec::heartbeat{0, 0}}).status == 404);
}

TEST_CASE("The HTTP rules of long polling", "[polling]") {
  test::test_node n;
  raw_poll p{over(n, true), {}};

  SECTION("POST /poll answers WELCOME and what is already answered") {
    auto r = p.post("/poll", {codec::hello{1, "raw", {}},
                              codec::request{1, "sys.echo", value::of(5)}});
    REQUIRE(r.status == 200);
    auto frames = frames_of(r.body);
    REQUIRE(!frames.empty());
    CHECK(std::holds_alternative<codec::welcome>(frames.front()));
  }

  SECTION("POST /poll/CONN answers 204 and GET brings the answers") {
    p.open();
    CHECK(p.send({codec::request{1, "sys.echo", value::of(5)},
                  codec::request{2, "sys.echo", value::of(6)}})
              .status == 204);
    std::vector<uint64_t> replies;
    while (replies.size() < 2) {
      auto r = p.get(5000);
      REQUIRE(r.status == 200);
      CHECK(r.content_type == "application/msgpack");
      for (auto& f : frames_of(r.body))
        if (auto x = std::get_if<codec::reply>(&f))
          replies.push_back(x->id);
    }
    CHECK(replies == std::vector<uint64_t>{1, 2});
  }

  SECTION("a GET with nothing to take answers 204 after its wait") {
    p.open();
    CHECK(p.get(50).status == 204);
  }

  SECTION("a newer GET answers the waiting one 204 at once") {
    p.open();
    auto first = std::async(std::launch::async, [&] { return p.get(30000); });
    auto second = std::async(std::launch::async, [&] { return p.get(30000); });
    // Nothing is sent: only the rule ends one of them before its 30 s.
    auto ready = [](auto& f) {
      return f.wait_for(0s) == std::future_status::ready;
    };
    REQUIRE(test::eventually([&] { return ready(first) || ready(second); }));
    auto& ended = ready(first) ? first : second;
    auto& waiting = ready(first) ? second : first;
    CHECK(ended.get().status == 204);
    CHECK(p.send({codec::request{1, "sys.echo", value::of(5)}}).status == 204);
    REQUIRE(waiting.wait_for(10s) == std::future_status::ready);
    auto r = waiting.get();
    REQUIRE(r.status == 200);
    CHECK(std::holds_alternative<codec::reply>(frames_of(r.body).back()));
  }

  SECTION("wrong requests get the statuses that say why") {
    p.open();
    CHECK(p.get(30001).status == 400);
    CHECK(test::http_call(p.at, "GET", "/poll/" + p.conn + "?wait_ms=soon")
              .status == 400);
    CHECK(test::http_call(p.at, "GET", "/poll/test-node-1.0123").status == 404);
    CHECK(test::http_call(p.at, "GET", "/poll").status == 405);
    CHECK(
        test::http_call(p.at, "POST", "/poll/" + p.conn, {}, "x", "text/plain")
            .status == 415);
    CHECK(test::http_call(p.at, "DELETE", "/poll/" + p.conn).status == 405);
    // A body over max_message: 413, and the connection ends with CLOSE 4.
    auto big =
        p.send({codec::signal{"big", value::of(std::string(2 << 20, 'x'))}});
    // 413, or the connection cut while the client was still writing.
    CHECK((big.status == 413 || big.status == 0));
    auto r = p.get(5000);
    REQUIRE(r.status == 200);
    auto frames = frames_of(r.body);
    REQUIRE(std::holds_alternative<codec::close>(frames.back()));
    CHECK(std::get<codec::close>(frames.back()).code == 4);
  }

  SECTION("after the node's CLOSE the connection answers 404") {
    p.open();
    CHECK(p.send({codec::hello{1, "again", {}}}).status == 204);
    auto r = p.get(5000);
    REQUIRE(r.status == 200);
    auto frames = frames_of(r.body);
    REQUIRE(std::holds_alternative<codec::close>(frames.back()));
    CHECK(std::get<codec::close>(frames.back()).code == 2);
    CHECK(p.get(0).status == 404);
    CHECK(p.send({codec::heartbeat{0, 0}}).status == 404);
  }

  SECTION("the client's CLOSE ends the connection") {
    p.open();
    CHECK(p.send({codec::close{0, "bye", ""}}).status == 204);
    CHECK(test::eventually([&] { return p.get(0).status == 404; }));
  }
}

TEST_CASE("A poll connection without requests for 3 heartbeat intervals "
          "ends",
          "[polling]") {
  test::test_node n{[](config::options& o) { o.lim.heartbeat_ms = 100; }};
  client::io_thread io;
  auto watcher = test::join(io, over(n, false));
  auto connections = [&] {
    return test::field<uint64_t>(test::call_ok(*watcher, "sys.info", value{}),
                                 "connections");
  };
  raw_poll p{over(n, true), {}};
  p.open();
  CHECK(test::eventually([&] { return connections() == 1; }));
  CHECK(p.get(0).status == 404);
}

TEST_CASE("A waiting GET counts as the client's heartbeat", "[polling]") {
  // The client sends nothing but GETs for 10 heartbeat intervals; the node
  // answers each with its own HEARTBEAT and never closes.
  test::test_node n{[](config::options& o) { o.lim.heartbeat_ms = 100; }};
  raw_poll p{over(n, true), {}};
  p.open();
  auto until = std::chrono::steady_clock::now() + 1s;
  int heartbeats = 0;
  while (std::chrono::steady_clock::now() < until) {
    auto r = p.get(30000);
    REQUIRE(r.status == 200);
    for (auto& f : frames_of(r.body)) {
      REQUIRE(!std::holds_alternative<codec::close>(f));
      heartbeats += std::holds_alternative<codec::heartbeat>(f);
    }
  }
  CHECK(heartbeats > 0);
  CHECK(p.send({codec::request{1, "sys.echo", value::of(1)}}).status == 204);
  auto r = p.get(5000);
  REQUIRE(r.status == 200);
  CHECK(std::holds_alternative<codec::reply>(frames_of(r.body).back()));
}

TEST_CASE("A full node refuses a new poll connection with 503 and keeps "
          "those it has",
          "[polling]") {
  // A poll connection counts once, besides the HTTP connections that
  // carry its requests; those are not refused when the node is full.
  test::test_node n{[](config::options& o) { o.max_total_connections = 2; }};
  client::io_thread io;
  auto first = test::join(io, over(n, true));
  raw_poll p{over(n, true), {}};
  CHECK(p.post("/poll", {codec::hello{1, "raw", {}}}).status == 503);
  CHECK(test::call_ok(*first, "sys.echo", value::of(1)) == value::of(1));
}
