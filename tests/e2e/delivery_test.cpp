// Delivery classes of room messages over real sockets, one rule of the
// contract per test: keep, drop (never a gap, resume_gap or CLOSE 7),
// latest (in place of the waiting frame of its key, never over a written
// one), the errors, WELCOME's lossy_after, the admin API's broadcast and
// the class a behavior gives.

#include <map>
#include <thread>

#include <catch2/catch.hpp>

#include "tether/tests/support/calls.hpp"
#include "tether/tests/support/http_call.hpp"
#include "tether/tests/support/test_node.hpp"

using namespace tether;
using namespace std::chrono_literals;
using codec::value;
using test::room_arg;

namespace {

using entries = std::vector<std::pair<std::string, value>>;

/// A member with a session, acknowledging every `ack_every` frames (0:
/// only when the test says).
struct member {
  std::shared_ptr<client::client> c;
  codec::session s;
};

member open_member(const test::test_node& n, client::io_thread& io,
                   uint64_t ack_every = 0) {
  member m;
  m.c = test::with_session(n, io, m.s, ack_every);
  return m;
}

/// Acknowledges everything, and waits until the node took it: b keeps
/// exactly one frame then, the answer to the sys.echo that follows it.
void settle(member& m) {
  m.c->ack();
  REQUIRE(test::call(*m.c, "sys.echo", value::of(0)).ok());
}

/// Reads a's frames until SIGNAL `name` (room messages may come first).
void await_event(member& a, const std::string& name) {
  while (true) {
    auto f = a.c->next(5s);
    REQUIRE(f);
    if (auto x = std::get_if<codec::signal>(&*f); x && x->name == name)
      return;
  }
}

/// a (the sender, owner, acknowledging as it goes) and b (the member
/// under test) in one room; b keeps one frame unacknowledged (`settle`).
/// With `presence`, a hears b come and go (see `leave`).
struct pair_in_room {
  member a;
  member b;
  std::string room;
};

pair_in_room room_of_two(const test::test_node& n, client::io_thread& io,
                         bool presence = false) {
  pair_in_room x{open_member(n, io, 1), open_member(n, io), {}};
  x.room = test::field<std::string>(
      test::call_ok(*x.a.c, "room.create",
                    test::map_of({{"presence", value::of(presence)}})),
      "room");
  test::call_ok(*x.b.c, "room.join", room_arg(x.room));
  if (presence)
    await_event(x.a, "room.joined"); // Read: a's ACKs cover it.
  settle(x.b);
  return x;
}

/// room.broadcast from `m` (not to itself) of `name` with `payload`, plus
/// `more` keys (delivery, key); the answer.
client::answer broadcast(member& m, const std::string& room,
                         const std::string& name, value payload,
                         entries more = {}) {
  more.insert(more.begin(), {{"name", value::of(name)},
                             {"payload", std::move(payload)},
                             {"exclude_self", value::of(true)}});
  auto answer = test::call(*m.c, "room.broadcast", room_arg(room, more));
  m.c->ack(); // The sender's stream stays far from its limits.
  return answer;
}

entries latest(const std::string& key) {
  return {{"delivery", value::of(std::string{"latest"})},
          {"key", value::of(key)}};
}

entries drop() {
  return {{"delivery", value::of(std::string{"drop"})}};
}

/// room.send from `m` to `to` only, as `broadcast` does.
client::answer send_to(member& m, const std::string& room,
                       const std::string& to, const std::string& name,
                       value payload, entries more = {}) {
  more.insert(more.begin(), {{"to", value::of(std::vector<std::string>{to})},
                             {"name", value::of(name)},
                             {"payload", std::move(payload)}});
  return test::call(*m.c, "room.send", room_arg(room, more));
}

/// The next ROOM_MESSAGE as "NAME=PAYLOAD" (an int payload) with its seq.
std::pair<std::string, uint64_t> next_message(client::client& c) {
  auto m = test::expect<codec::room_message>(c);
  int64_t n = 0;
  m.payload.convert_to(n);
  return {m.name + "=" + std::to_string(n), c.last_seq()};
}

/// The next ROOM_MESSAGEs are `texts` ("NAME=PAYLOAD"), numbered from
/// `seq` on.
void expect_messages(client::client& c, const std::vector<std::string>& texts,
                     uint64_t seq) {
  for (const auto& text : texts) {
    INFO("seq " << seq);
    CHECK(next_message(c) == std::make_pair(text, seq++));
  }
}

/// Drops b's connection, and waits until the node knows (a hears
/// room.away): what comes now waits in b's stream, unwritten.
void leave(pair_in_room& x) {
  x.b.c->abort();
  await_event(x.a, "room.away");
}

/// b's stream resumed after `last_seq` on a new connection (a hears
/// room.back).
void come_back(const test::test_node& n, client::io_thread& io, pair_in_room& x,
               uint64_t last_seq) {
  x.b.c = test::resume(io, n.where(), x.b.s, last_seq, &x.b.s);
  await_event(x.a, "room.back");
}

} // namespace

TEST_CASE("WELCOME's limits carry lossy_after from --lossy-after") {
  test::test_node n{[](config::options& o) { o.lim.lossy_after = 7; }};
  client::io_thread io;
  auto c = n.connect(io);
  auto w = c->hello();
  REQUIRE(w);
  CHECK(test::field<uint64_t>(w->limits, "lossy_after") == 7);
  CHECK(config::limits{}.lossy_after == 1000);
}

TEST_CASE("the sender's answer is the same in every delivery class") {
  test::test_node n;
  client::io_thread io;
  auto x = room_of_two(n, io);
  for (const auto& how :
       {entries{}, drop(), latest("k"),
        entries{{"delivery", value::of(std::string{"keep"})}}}) {
    auto a = broadcast(x.a, x.room, "m", value::of(1), how);
    CHECK(a.what == client::answer::kind::reply);
    CHECK(a.payload == value::empty_map());
    auto sent = send_to(x.a, x.room, x.b.s.session_id, "s", value::of(2), how);
    CHECK(sent.what == client::answer::kind::reply);
    CHECK(sent.payload == value::empty_map());
    // b reads each as it comes: none waits, so none is replaced.
    CHECK(next_message(*x.b.c).first == "m=1");
    CHECK(next_message(*x.b.c).first == "s=2");
  }
  CHECK(x.b.c->gaps() == 0);
}

TEST_CASE("an unknown delivery or latest without a key is ERROR invalid") {
  test::test_node n;
  client::io_thread io;
  auto x = room_of_two(n, io);
  auto refused = [&](entries how) {
    auto a = broadcast(x.a, x.room, "m", value::of(1), how);
    return a.what == client::answer::kind::error && a.code == "invalid";
  };
  CHECK(refused({{"delivery", value::of(std::string{"often"})}}));
  CHECK(refused({{"delivery", value::of(std::string{"latest"})}}));
  CHECK(refused(
      {{"delivery", value::of(std::string{"latest"})}, {"key", value::of(5)}}));
  CHECK(refused({{"delivery", value::of(3)}}));
  auto a = send_to(x.a, x.room, x.b.s.session_id, "s", value::of(1),
                   {{"delivery", value::of(std::string{"latest"})}});
  CHECK(a.code == "invalid");
  // Nothing was sent.
  CHECK_FALSE(x.b.c->next(200ms).has_value());
}

TEST_CASE("keep reaches a member that is behind with every message") {
  test::test_node n;
  client::io_thread io;
  auto x = room_of_two(n, io, true);
  auto last = x.b.c->last_seq();
  leave(x);
  for (int i = 1; i <= 5; ++i)
    broadcast(x.a, x.room, "k", value::of(i));
  come_back(n, io, x, last);
  for (int i = 1; i <= 5; ++i)
    CHECK(next_message(*x.b.c) ==
          std::make_pair("k=" + std::to_string(i), last + i));
  CHECK(x.b.c->gaps() == 0);
}

TEST_CASE("drop skips a member more than lossy_after frames behind and "
          "leaves no seq gap") {
  test::test_node n{[](config::options& o) { o.lim.lossy_after = 5; }};
  client::io_thread io;
  auto x = room_of_two(n, io);
  auto first = x.b.c->last_seq() + 1;
  for (int i = 0; i < 10; ++i)
    broadcast(x.a, x.room, "d", value::of(i), drop());
  // Numbered while b kept 1 to 5 frames unacknowledged: 5 of them.
  for (int i = 0; i < 5; ++i)
    CHECK(next_message(*x.b.c) ==
          std::make_pair("d=" + std::to_string(i), first + i));
  CHECK_FALSE(x.b.c->next(200ms).has_value());
  // Acknowledged: the next one comes, numbered right after the echo.
  settle(x.b);
  broadcast(x.a, x.room, "d", value::of(10), drop());
  expect_messages(*x.b.c, {"d=10"}, first + 6);
  CHECK(x.b.c->gaps() == 0);
  CHECK(x.b.c->duplicates() == 0);
}

TEST_CASE("drop never causes CLOSE 7 or resume_gap") {
  // lossy_after above the outbox: the outbox's own limits still hold drop
  // messages back.
  test::test_node n{[](config::options& o) {
    o.lim.lossy_after = 1000;
    o.lim.max_outbox_frames = 8;
  }};
  client::io_thread io;
  auto x = room_of_two(n, io, true);
  for (int i = 0; i < 30; ++i)
    broadcast(x.a, x.room, "d", value::of(i), drop());
  // Beside the one kept already, 7 fit.
  for (int i = 0; i < 7; ++i)
    CHECK(next_message(*x.b.c).first == "d=" + std::to_string(i));
  auto more = x.b.c->next(300ms);
  INFO((more ? to_string(codec::kind_of(*more)) : std::string{"nothing"}));
  CHECK_FALSE(more.has_value());
  CHECK_FALSE(x.b.c->closed());
  // Detached and full: what comes is skipped, the stream is not broken.
  auto last = x.b.c->last_seq();
  leave(x);
  for (int i = 30; i < 60; ++i)
    broadcast(x.a, x.room, "d", value::of(i), drop());
  come_back(n, io, x, last - 3);
  for (uint64_t seq = last - 2; seq <= last; ++seq)
    CHECK(next_message(*x.b.c).second == seq);
  CHECK_FALSE(x.b.c->next(200ms).has_value());
  settle(x.b);
  broadcast(x.a, x.room, "d", value::of(60), drop());
  expect_messages(*x.b.c, {"d=60"}, last + 2);
  CHECK(x.b.c->gaps() == 0);
}

TEST_CASE("latest takes the place and seq of the waiting message of its key") {
  test::test_node n;
  client::io_thread io;
  auto x = room_of_two(n, io, true);
  auto last = x.b.c->last_seq();
  leave(x);
  broadcast(x.a, x.room, "pos", value::of(1), latest("pos"));
  broadcast(x.a, x.room, "note", value::of(1));
  for (int i = 2; i <= 20; ++i)
    broadcast(x.a, x.room, "pos", value::of(i), latest("pos"));
  broadcast(x.a, x.room, "other", value::of(1), latest("other"));
  broadcast(x.a, x.room, "other", value::of(2), latest("other"));
  come_back(n, io, x, last);
  expect_messages(*x.b.c, {"pos=20", "note=1", "other=2"}, last + 1);
  CHECK_FALSE(x.b.c->next(200ms).has_value());
  CHECK(x.b.c->gaps() == 0);
}

TEST_CASE("latest never replaces a frame already written so a member never "
          "sees an older value after a newer one") {
  test::test_node n;
  client::io_thread io;
  auto x = room_of_two(n, io, true);
  auto before = x.b.c->last_seq();
  broadcast(x.a, x.room, "pos", value::of(1), latest("pos"));
  expect_messages(*x.b.c, {"pos=1"}, before + 1);
  broadcast(x.a, x.room, "pos", value::of(2), latest("pos"));
  expect_messages(*x.b.c, {"pos=2"}, before + 2);
  // Gone without acknowledging: both were written, so both are kept, and
  // the next value comes after them.
  leave(x);
  broadcast(x.a, x.room, "pos", value::of(3), latest("pos"));
  broadcast(x.a, x.room, "pos", value::of(4), latest("pos"));
  come_back(n, io, x, before);
  expect_messages(*x.b.c, {"pos=1", "pos=2", "pos=4"}, before + 1);
  // Replayed now: written again, and never replaced since.
  leave(x);
  broadcast(x.a, x.room, "pos", value::of(5), latest("pos"));
  come_back(n, io, x, before + 1);
  expect_messages(*x.b.c, {"pos=2", "pos=4", "pos=5"}, before + 2);
  CHECK(x.b.c->gaps() == 0);
}

namespace {

namespace net = transport::net;
namespace beast = transport::beast;
namespace websocket = transport::websocket;

/// A room `m` made without presence events (nobody hears joins).
std::string quiet_room(member& m) {
  return test::field<std::string>(
      test::call_ok(*m.c, "room.create",
                    test::map_of({{"presence", value::of(false)}})),
      "room");
}

/// Waits until `room` has `count` members (members that do not read
/// cannot say when they joined).
void await_members(member& m, const std::string& room, size_t count) {
  for (int i = 0; i < 500; ++i) {
    auto info = test::call_ok(*m.c, "room.info", room_arg(room));
    m.c->ack();
    auto members = test::field<std::vector<std::string>>(info, "members");
    if (members.size() >= count)
      return;
    std::this_thread::sleep_for(10ms);
  }
  FAIL("room " << room << " never had " << count << " members");
}

/// A raw WebSocket with a session in a room, that reads only when told.
struct stalled_member {
  net::io_context ioc;
  websocket::stream<transport::tcp::socket> ws{ioc};
  uint64_t last_seq = 0;
  bool closed = false;
  /// The code of the CLOSE that came (closed, and 0: none came).
  uint64_t close_code = 0;
  /// Whether `read_until` acknowledges what it reads. One that reads what
  /// a closed connection left does not: bytes sent to a socket the node
  /// closed make its end reset the connection, and a reset may discard the
  /// CLOSE still unread.
  bool acknowledges = true;

  stalled_member(const test::test_node& n, const std::string& room) {
    ws.next_layer().connect(
        {net::ip::make_address("127.0.0.1"), n.where().port});
    ws.handshake("127.0.0.1", "/ws");
    ws.binary(true);
    std::string out;
    codec::encode_one(codec::hello{1, "stalled", {}}, out);
    codec::encode_one(codec::session_open{1, {}}, out);
    codec::encode_one(codec::request{2, "room.join", room_arg(room)}, out);
    ws.write(net::buffer(out));
  }

  /// What was read: each ROOM_MESSAGE's name and payload's `v`, SEQ gaps,
  /// whether a CLOSE came.
  std::vector<std::pair<std::string, int64_t>> seen;
  uint64_t gaps = 0;
  beast::flat_buffer buf;

  /// Reads, acknowledging as a client does (see `acknowledges`), until
  /// `done(seen)` holds, a CLOSE comes, or `limit` passes.
  template <class Done>
  void read_until(Done done, std::chrono::milliseconds limit) {
    read_next(done);
    ioc.restart();
    ioc.run_for(limit);
  }

  template <class Done> void read_next(Done done) {
    ws.async_read(buf, [this, done](transport::error_code ec, size_t) {
      if (ec) {
        closed = true;
        return;
      }
      take(beast::buffers_to_string(buf.data()));
      buf.consume(buf.size());
      if (acknowledges) {
        std::string ack;
        codec::encode_one(codec::ack{last_seq}, ack);
        transport::error_code ignored; // The node may have closed.
        ws.write(net::buffer(ack), ignored);
      }
      if (!closed && !done(seen))
        read_next(done);
    });
  }

  void take(const std::string& data) {
    auto frames = std::get<std::vector<codec::frame>>(
        codec::decode_batch(data.data(), data.size()));
    for (auto& f : frames) {
      if (auto c = std::get_if<codec::close>(&f)) {
        closed = true;
        close_code = c->code;
      }
      auto s = std::get_if<codec::seq>(&f);
      if (!s)
        continue;
      if (s->seq != last_seq + 1)
        ++gaps;
      last_seq = s->seq;
      auto inner = std::get<codec::frame>(
          codec::decode_frame(s->frame.bytes.data(), s->frame.bytes.size()));
      if (auto m = std::get_if<codec::room_message>(&inner)) {
        int64_t v = 0;
        codec::lookup(m->payload, "v").convert_to(v);
        seen.emplace_back(m->name, v);
      }
    }
  }
};

} // namespace

TEST_CASE("a member that stops reading stays connected under latest traffic "
          "and sees every key's values only grow") {
  // A small outbox: without latest, 4,000 messages of 1 KiB close it.
  test::test_node n{[](config::options& o) {
    o.lim.max_outbox_frames = 300;
    o.lim.max_outbox_bytes = 256 << 10;
  }};
  client::io_thread io;
  auto a = open_member(n, io, 1);
  auto room = quiet_room(a);
  stalled_member b{n, room};
  await_members(a, room, 2);
  const std::string pad(1000, 'x');
  const int sent = 4000;
  for (int i = 1; i <= sent; ++i) {
    auto key = "k" + std::to_string(i % 4);
    auto payload = test::map_of({{"v", value::of(i)}, {"pad", value::of(pad)}});
    REQUIRE(broadcast(a, room, key, payload, latest(key)).ok());
  }
  // Read now: each key's last value comes (sent last, never replaced by
  // an older one).
  auto finals = [sent](const std::vector<std::pair<std::string, int64_t>>& xs) {
    std::map<std::string, int64_t> last;
    for (const auto& [key, v] : xs)
      last[key] = v;
    for (int k = 0; k < 4; ++k)
      if (last["k" + std::to_string(k)] <= sent - 4)
        return false;
    return true;
  };
  b.read_until(finals, 20s);
  CHECK_FALSE(b.closed);
  CHECK(b.gaps == 0);
  std::map<std::string, int64_t> newest;
  uint64_t backwards = 0;
  for (const auto& [key, v] : b.seen) {
    if (newest.count(key) && v <= newest[key])
      ++backwards;
    newest[key] = v;
  }
  CHECK(backwards == 0);
  INFO(b.seen.size() << " of " << sent << " messages arrived");
  CHECK(finals(b.seen));
  CHECK(b.seen.size() < static_cast<size_t>(sent));
}

namespace {

/// The value of a /metrics series without labels.
uint64_t metric(const test::test_node& n, const std::string& name) {
  auto r = test::http_call(n.where(), "GET", "/metrics");
  REQUIRE(r.status == 200);
  auto at = r.body.find("\n" + name + " ");
  REQUIRE(at != std::string::npos);
  return std::stoull(r.body.substr(at + name.size() + 2));
}

} // namespace

TEST_CASE("past the node's max-kept-bytes the members that are behind get "
          "CLOSE 7 and a member that reads gets everything") {
  // 2,000 messages of 1 KiB: each stalled member keeps 2 MiB and 2,000
  // frames, within its own outbox (8 MiB, 10,000 frames); only the node's
  // budget of 2 MiB, which the two pass together, closes them.
  constexpr uint64_t budget = 2 << 20;
  test::test_node n{[](config::options& o) { o.lim.max_kept_bytes = budget; }};
  client::io_thread io;
  auto a = open_member(n, io, 1);
  auto room = quiet_room(a);
  auto d = open_member(n, io, 1);
  test::call_ok(*d.c, "room.join", room_arg(room));
  stalled_member b{n, room};
  stalled_member c{n, room};
  await_members(a, room, 4);
  const std::string pad(1000, 'x');
  const int sent = 2000;
  uint64_t most_kept = 0;
  for (int i = 1; i <= sent; ++i) {
    REQUIRE(
        broadcast(a, room, "m",
                  test::map_of({{"v", value::of(i)}, {"pad", value::of(pad)}}))
            .ok());
    auto m = test::expect<codec::room_message>(*d.c);
    CHECK(test::field<int>(m.payload, "v") == i);
    if (i % 250 == 0)
      most_kept = std::max(most_kept, metric(n, "tether_kept_bytes"));
  }
  CHECK(d.c->gaps() == 0);
  // The budget is passed by at most the frames of one broadcast.
  CHECK(most_kept > 0);
  CHECK(most_kept <= budget + 16 * 1024);
  auto to_the_end = [](const auto&) { return false; };
  for (auto* s : {&b, &c}) {
    s->acknowledges = false;
    s->read_until(to_the_end, 20s);
    CHECK(s->closed);
    CHECK(s->close_code == 7);
    CHECK(s->gaps == 0);
    CHECK(s->seen.size() < static_cast<size_t>(sent));
  }
  // d is still served.
  REQUIRE(broadcast(a, room, "m", value::of(0)).ok());
  CHECK(next_message(*d.c).first == "m=0");
}

TEST_CASE("the admin API broadcasts in a delivery class") {
  test::test_node n{[](config::options& o) { o.admin_token = "t0ken"; }};
  client::io_thread io;
  auto x = room_of_two(n, io, true);
  auto path = "/api/v1/rooms/" + x.room + "/broadcast";
  auto r = test::http_call(n.where(), "POST", path, "t0ken",
                           R"({"name":"news","payload":{"n":1}})");
  CHECK(r.status == 202);
  auto m = test::expect<codec::room_message>(*x.b.c);
  CHECK(m.from.empty());
  CHECK(m.name == "news");
  CHECK(test::field<int>(m.payload, "n") == 1);
  CHECK(test::http_call(n.where(), "POST", path, "t0ken",
                        R"({"name":"p","payload":1,"delivery":"latest"})")
            .status == 400);
  CHECK(test::http_call(n.where(), "POST", path, "t0ken",
                        R"({"name":"p","delivery":"often"})")
            .status == 400);
  CHECK(test::http_call(n.where(), "POST", "/api/v1/rooms/r.no.such/broadcast",
                        "t0ken", R"({"name":"p"})")
            .status == 404);
  // latest from the admin API replaces like any other.
  auto last = x.b.c->last_seq();
  leave(x);
  for (int i = 1; i <= 3; ++i)
    CHECK(test::http_call(n.where(), "POST", path, "t0ken",
                          R"({"name":"p","payload":)" + std::to_string(i) +
                              R"(,"delivery":"latest","key":"p"})")
              .status == 202);
  come_back(n, io, x, last);
  expect_messages(*x.b.c, {"p=3"}, last + 1);
  CHECK_FALSE(x.b.c->next(200ms).has_value());
}

TEST_CASE("a behavior broadcasts in a delivery class") {
  // The room's logic speaks on every join: three values of one key.
  test::test_node n{
      {}, [](runtime& rt) {
        auto logic = rt.system().spawn([]() -> room_logic_actor::behavior_type {
          return {
              [](join_atom, const room_actor&, const std::string&,
                 const std::string&, const value&) { return true; },
              [](joined_atom, const room_actor& room, const std::string&,
                 const std::string&) {
                for (int i = 1; i <= 3; ++i)
                  caf::anon_send(room, broadcast_atom::value,
                                 std::string{"score"}, value::of(i),
                                 room_delivery::latest("score"));
              },
              [](left_atom, const room_actor&, const std::string&,
                 const std::string&) {},
              [](tick_atom, const room_actor&, const std::string&) {},
          };
        });
        rt.add_room_type("game", logic, {});
      }};
  client::io_thread io;
  auto a = open_member(n, io, 1);
  auto room = test::field<std::string>(
      test::call_ok(*a.c, "room.create",
                    test::map_of({{"type", value::of(std::string{"game"})}})),
      "room");
  auto b = open_member(n, io);
  test::call_ok(*b.c, "room.join", room_arg(room));
  // Sent one after the other to attached members: each is written at once.
  for (int i = 1; i <= 3; ++i)
    CHECK(next_message(*b.c).first == "score=" + std::to_string(i));
  CHECK(b.c->gaps() == 0);
}
