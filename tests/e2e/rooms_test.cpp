// Rooms over real sockets: every op, event and error of the contract,
// ownership, TTLs, invites, linearizable properties, resume, and a room of
// 1,000 members.

#include <sys/resource.h>
#include <thread>

#include <catch2/catch.hpp>

#include <caf/typed_event_based_actor.hpp>

#include "tether/tests/support/test_node.hpp"

using namespace tether;
using namespace std::chrono_literals;
using codec::value;
using test::room_arg;

namespace {

/// A client with a session, ready for room ops.
struct member {
  std::shared_ptr<client::client> c;
  codec::session s;

  const std::string& id() const { return s.session_id; }

  client::answer call(const std::string& op, value payload) {
    auto f = c->call(op, std::move(payload));
    if (f.wait_for(10s) != std::future_status::ready)
      throw std::runtime_error(op + ": no answer");
    return f.get();
  }

  /// The REPLY payload; the test fails on anything else.
  value ok(const std::string& op, value payload) {
    auto a = call(op, std::move(payload));
    if (a.what != client::answer::kind::reply)
      FAIL(op << " failed: " << a.code << " " << a.message);
    return a.payload;
  }

  std::string error(const std::string& op, value payload) {
    auto a = call(op, std::move(payload));
    return a.what == client::answer::kind::error ? a.code : "(no error)";
  }

  /// The next SIGNAL, which must be named `name`.
  value event(const std::string& name) {
    auto sig = test::expect<codec::signal>(*c);
    if (sig.name != name)
      FAIL("expected event " << name << ", got " << sig.name);
    return sig.payload;
  }

  bool quiet(std::chrono::milliseconds wait = 150ms) {
    return !c->next(wait).has_value();
  }
};

member join_node(const test::test_node& n, client::io_thread& io,
                 const std::string& name = "m") {
  member m;
  m.c = n.join(io);
  auto s = m.c->open_session(
      codec::map_value{test::map_of({{"name", value::of(name)}})});
  REQUIRE(s);
  m.s = *s;
  return m;
}

std::string create(member& m,
                   std::vector<std::pair<std::string, value>> kv = {}) {
  return test::field<std::string>(m.ok("room.create", value::map(kv)), "room");
}

/// Members a (owner), b and c of one room, the join events already read.
struct three_in_a_room {
  member a;
  member b;
  member c;
  std::string room;
};

three_in_a_room room_of_three(const test::test_node& n, client::io_thread& io) {
  three_in_a_room x{join_node(n, io), join_node(n, io), join_node(n, io), {}};
  x.room = create(x.a);
  x.b.ok("room.join", room_arg(x.room));
  x.c.ok("room.join", room_arg(x.room));
  x.a.event("room.joined");
  x.a.event("room.joined");
  x.b.event("room.joined");
  return x;
}

std::vector<std::string> strings(const value& x, const std::string& key) {
  return test::field<std::vector<std::string>>(x, key);
}

} // namespace

TEST_CASE("room.create makes the creator its first member and owner") {
  test::test_node n;
  client::io_thread io;
  auto a = join_node(n, io);
  auto room = create(a, {{"type", value::of(std::string{"lobby"})},
                         {"max_members", value::of(8)},
                         {"props", test::map_of({{"level", value::of(3)}})}});
  CHECK(room.rfind("r.", 0) == 0);
  auto info = a.ok("room.info", room_arg(room));
  CHECK(test::field<std::string>(info, "room") == room);
  CHECK(test::field<std::string>(info, "type") == "lobby");
  CHECK(test::field<std::string>(info, "owner") == a.id());
  CHECK(strings(info, "members") == std::vector<std::string>{a.id()});
  CHECK(test::field<uint64_t>(info, "max_members") == 8);
  CHECK(test::field<int>(codec::lookup(info, "props"), "level") == 3);
}

TEST_CASE("room ops need a session and membership") {
  test::test_node n;
  client::io_thread io;
  auto a = join_node(n, io);
  auto room = create(a);
  auto bare = n.join(io);
  auto f = bare->call("room.create", value::empty_map());
  REQUIRE(f.wait_for(5s) == std::future_status::ready);
  CHECK(f.get().code == "no_session");
  auto b = join_node(n, io);
  CHECK(b.error("room.join", room_arg("r.nope")) == "room_not_found");
  for (auto op : {"room.leave", "room.broadcast", "room.props.get",
                  "room.props.set", "room.kick", "room.delete", "room.send",
                  "room.invite", "room.props.cas", "room.props.incr"})
    CHECK(b.error(op, room_arg(room)) == "not_member");
  // room.info needs no membership.
  CHECK(test::field<std::string>(b.ok("room.info", room_arg(room)), "owner") ==
        a.id());
}

TEST_CASE("join lists members in join order and tells the others") {
  test::test_node n;
  client::io_thread io;
  auto a = join_node(n, io, "ann");
  auto b = join_node(n, io, "bob");
  auto c = join_node(n, io, "cy");
  auto room = create(a);
  b.ok("room.join", room_arg(room));
  auto joined = a.event("room.joined");
  CHECK(test::field<std::string>(joined, "room") == room);
  CHECK(test::field<std::string>(joined, "member") == b.id());
  CHECK(test::field<std::string>(codec::lookup(joined, "info"), "name") ==
        "bob");
  auto reply = c.ok("room.join", room_arg(room));
  CHECK(strings(reply, "members") ==
        std::vector<std::string>{a.id(), b.id(), c.id()});
  CHECK(test::field<std::string>(a.event("room.joined"), "member") == c.id());
  CHECK(test::field<std::string>(b.event("room.joined"), "member") == c.id());
  CHECK(c.quiet()); // the joiner is not told about itself
}

TEST_CASE("a room without presence sends no join or leave events") {
  test::test_node n;
  client::io_thread io;
  auto a = join_node(n, io);
  auto b = join_node(n, io);
  auto room = create(a, {{"presence", value::of(false)}});
  auto reply = b.ok("room.join", room_arg(room));
  CHECK(strings(reply, "members").empty());
  b.ok("room.leave", room_arg(room));
  CHECK(a.quiet()); // neither room.joined nor room.left
  CHECK(strings(a.ok("room.info", room_arg(room)), "members") ==
        std::vector<std::string>{a.id()});
  b.ok("room.join", room_arg(room));
  a.ok("room.broadcast", room_arg(room, {{"name", value::of(std::string{"n"})},
                                         {"payload", value::of(1)}}));
  CHECK(test::expect<codec::room_message>(*b.c).from == a.id());
}

TEST_CASE("when the owner leaves the longest-standing member owns the room") {
  test::test_node n;
  client::io_thread io;
  auto [a, b, c, room] = room_of_three(n, io);
  a.ok("room.leave", room_arg(room));
  for (auto* m : {&b, &c}) {
    CHECK(test::field<std::string>(m->event("room.left"), "member") == a.id());
    CHECK(test::field<std::string>(m->event("room.owner"), "owner") == b.id());
  }
  CHECK(a.quiet());
  CHECK(test::field<std::string>(c.ok("room.info", room_arg(room)), "owner") ==
        b.id());
  CHECK(a.error("room.leave", room_arg(room)) == "not_member");
}

TEST_CASE("only the owner kicks and everyone hears it") {
  test::test_node n;
  client::io_thread io;
  auto [a, b, c, room] = room_of_three(n, io);
  CHECK(b.error("room.kick", room_arg(room, {{"member", value::of(c.id())}})) ==
        "not_owner");
  CHECK(
      a.error("room.kick",
              room_arg(room, {{"member", value::of(std::string{"nobody"})}})) ==
      "not_member");
  a.ok("room.kick", room_arg(room, {{"member", value::of(c.id())}}));
  for (auto* m : {&a, &b, &c})
    CHECK(test::field<std::string>(m->event("room.kicked"), "member") ==
          c.id());
  CHECK(strings(a.ok("room.info", room_arg(room)), "members") ==
        std::vector<std::string>{a.id(), b.id()});
  CHECK(c.error("room.broadcast",
                room_arg(room, {{"name", value::of(std::string{"x"})}})) ==
        "not_member");
}

TEST_CASE("broadcast reaches every member once and send only those named") {
  test::test_node n;
  client::io_thread io;
  auto [a, b, c, room] = room_of_three(n, io);
  a.ok("room.broadcast", room_arg(room, {{"name", value::of(std::string{"hi"})},
                                         {"payload", value::of(1)}}));
  for (auto* m : {&a, &b, &c}) {
    auto msg = test::expect<codec::room_message>(*m->c);
    CHECK(msg.room == room);
    CHECK(msg.from == a.id());
    CHECK(msg.name == "hi");
    CHECK(msg.payload == value::of(1));
    CHECK(m->quiet(50ms));
  }
  b.ok("room.broadcast",
       room_arg(room, {{"name", value::of(std::string{"quiet"})},
                       {"exclude_self", value::of(true)}}));
  CHECK(test::expect<codec::room_message>(*a.c).from == b.id());
  CHECK(test::expect<codec::room_message>(*c.c).from == b.id());
  CHECK(b.quiet());
  c.ok("room.send",
       room_arg(room, {{"to", value::of(std::vector<std::string>{a.id()})},
                       {"name", value::of(std::string{"psst"})},
                       {"payload", value::of(2)}}));
  auto msg = test::expect<codec::room_message>(*a.c);
  CHECK(msg.name == "psst");
  CHECK(msg.from == c.id());
  CHECK(b.quiet(50ms));
  CHECK(c.quiet(50ms));
}

TEST_CASE(
    "properties: get and set and cas and incr with one event per change") {
  test::test_node n;
  client::io_thread io;
  auto a = join_node(n, io);
  auto b = join_node(n, io);
  auto room = create(a);
  b.ok("room.join", room_arg(room));
  a.event("room.joined");
  auto set = a.ok(
      "room.props.set",
      room_arg(room, {{"props",
                       test::map_of({{"x", value::of(1)},
                                     {"y", value::of(std::string{"s"})}})}}));
  CHECK(strings(set, "set") == std::vector<std::string>{"x", "y"});
  for (auto* m : {&a, &b}) {
    auto changed = codec::lookup(m->event("room.props"), "changed");
    CHECK(test::field<int>(changed, "x") == 1);
    CHECK(test::field<std::string>(changed, "y") == "s");
  }
  // if_absent: only the new key is set, and only it is in the event.
  set = b.ok("room.props.set",
             room_arg(room, {{"props", test::map_of({{"x", value::of(9)},
                                                     {"z", value::of(true)}})},
                             {"if_absent", value::of(true)}}));
  CHECK(strings(set, "set") == std::vector<std::string>{"z"});
  auto changed = codec::lookup(a.event("room.props"), "changed");
  CHECK(codec::lookup(changed, "x").is_nil());
  CHECK(codec::lookup(changed, "z") == value::of(true));
  b.event("room.props");
  auto got = a.ok("room.props.get",
                  room_arg(room, {{"keys", value::of(std::vector<std::string>{
                                               "x", "missing"})}}));
  auto props = codec::lookup(got, "props");
  CHECK(test::field<int>(props, "x") == 1);
  CHECK(codec::lookup(props, "missing").is_nil());
  // cas: nil expects absence; a mismatch is a conflict and changes nothing.
  auto cas = [&](value expect, value next) {
    return a.call("room.props.cas",
                  room_arg(room, {{"key", value::of(std::string{"lock"})},
                                  {"expect", expect},
                                  {"value", next}}));
  };
  CHECK(cas(value{}, value::of(std::string{"ann"})).ok());
  a.event("room.props");
  b.event("room.props");
  CHECK(cas(value{}, value::of(std::string{"bob"})).code == "conflict");
  CHECK(cas(value::of(std::string{"ann"}), value::of(std::string{"cy"})).ok());
  a.event("room.props");
  b.event("room.props");
  // incr: absent counts from 0; a non-integer is invalid.
  auto incr = [&](const std::string& key, int by) {
    return a.call("room.props.incr", room_arg(room, {{"key", value::of(key)},
                                                     {"by", value::of(by)}}));
  };
  CHECK(test::field<int>(incr("n", 5).payload, "value") == 5);
  CHECK(test::field<int>(incr("n", -2).payload, "value") == 3);
  CHECK(incr("y", 1).code == "invalid");
  // Values must be plain.
  CHECK(
      a.error("room.props.set",
              room_arg(room, {{"props",
                               test::map_of({{"deep", test::map_of({})}})}})) ==
      "invalid");
  CHECK(a.error("room.props.set",
                room_arg(room,
                         {{"props",
                           test::map_of({{"list", value::of(std::vector<int>{
                                                      1})}})}})) == "invalid");
}

TEST_CASE("a full room answers room_full and an invite reserves no seat") {
  test::test_node n;
  client::io_thread io;
  auto a = join_node(n, io);
  auto b = join_node(n, io);
  auto c = join_node(n, io);
  auto room = create(a, {{"max_members", value::of(2)}});
  auto before = static_cast<uint64_t>(std::time(nullptr));
  a.ok("room.invite",
       room_arg(room, {{"members", value::of(std::vector<std::string>{c.id()})},
                       {"ttl_s", value::of(30)},
                       {"payload", value::of(std::string{"come"})}}));
  auto inv = c.event("room.invited");
  CHECK(test::field<std::string>(inv, "room") == room);
  CHECK(test::field<std::string>(inv, "from") == a.id());
  CHECK(test::field<std::string>(inv, "payload") == "come");
  auto expires = test::field<uint64_t>(inv, "expires");
  CHECK(expires >= before + 30);
  CHECK(expires <= before + 32);
  CHECK(b.quiet(50ms)); // only the invitee hears it
  b.ok("room.join", room_arg(room));
  CHECK(c.error("room.join", room_arg(room)) == "room_full");
}

TEST_CASE("only the owner deletes and every member hears it") {
  test::test_node n;
  client::io_thread io;
  auto a = join_node(n, io);
  auto b = join_node(n, io);
  auto room = create(a);
  b.ok("room.join", room_arg(room));
  a.event("room.joined");
  CHECK(b.error("room.delete", room_arg(room)) == "not_owner");
  a.ok("room.delete", room_arg(room));
  for (auto* m : {&a, &b})
    CHECK(test::field<std::string>(m->event("room.deleted"), "room") == room);
  CHECK(test::eventually([&] {
    return b.error("room.join", room_arg(room)) == "room_not_found";
  }));
}

TEST_CASE("an empty room is deleted after its ttl_s") {
  test::test_node n;
  client::io_thread io;
  auto a = join_node(n, io);
  auto room = create(a, {{"ttl_s", value::of(1)}});
  auto rooms = [&] {
    return test::field<uint64_t>(a.ok("sys.info", {}), "rooms");
  };
  CHECK(rooms() == 1);
  a.ok("room.leave", room_arg(room));
  auto start = std::chrono::steady_clock::now();
  CHECK(test::eventually([&] { return rooms() == 0; }));
  CHECK(std::chrono::steady_clock::now() - start >= 900ms);
  CHECK(a.error("room.join", room_arg(room)) == "room_not_found");
}

TEST_CASE("a room that is joined again before its ttl_s lives on") {
  test::test_node n;
  client::io_thread io;
  auto a = join_node(n, io);
  auto room = create(a, {{"ttl_s", value::of(1)}});
  a.ok("room.leave", room_arg(room));
  a.ok("room.join", room_arg(room));
  std::this_thread::sleep_for(1300ms); // past the TTL, on purpose
  CHECK(test::field<std::string>(a.ok("room.info", room_arg(room)), "owner") ==
        a.id());
}

TEST_CASE("concurrent incr from several members sums exactly") {
  test::test_node n{[](config::options& o) { o.lim.max_inflight = 1000; }};
  client::io_thread io;
  std::vector<member> ms;
  for (int i = 0; i < 4; ++i)
    ms.push_back(join_node(n, io));
  for (auto& m : ms)
    m.c->auto_ack(64);
  auto room = create(ms[0]);
  for (size_t i = 1; i < ms.size(); ++i)
    ms[i].ok("room.join", room_arg(room));
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (auto& m : ms)
    threads.emplace_back([&m, &room, &failures] {
      std::vector<std::future<client::answer>> fs;
      for (int i = 0; i < 250; ++i)
        fs.push_back(
            m.c->call("room.props.incr",
                      room_arg(room, {{"key", value::of(std::string{"n"})},
                                      {"by", value::of(1)}})));
      for (auto& f : fs)
        if (f.wait_for(20s) != std::future_status::ready || !f.get().ok())
          ++failures;
    });
  for (auto& t : threads)
    t.join();
  CHECK(failures == 0);
  auto props =
      codec::lookup(ms[0].ok("room.props.get", room_arg(room)), "props");
  CHECK(test::field<int>(props, "n") == 1000);
}

TEST_CASE("a member that drops and resumes gets every room message it missed "
          "in order") {
  test::test_node n;
  client::io_thread io;
  auto a = join_node(n, io);
  auto b = join_node(n, io);
  b.c->auto_ack(0);
  auto room = create(a);
  b.ok("room.join", room_arg(room));
  a.event("room.joined");
  auto seen = b.c->last_seq();
  b.c->abort();
  for (int i = 0; i < 20; ++i)
    a.ok("room.broadcast",
         room_arg(room, {{"name", value::of(std::string{"n"})},
                         {"payload", value::of(i)},
                         {"exclude_self", value::of(true)}}));
  auto b2 = n.join(io);
  REQUIRE(b2->resume_session(b.s.stream_token, seen));
  for (int i = 0; i < 20; ++i) {
    auto msg = test::expect<codec::room_message>(*b2);
    CHECK(msg.payload == value::of(i));
  }
  CHECK(b2->gaps() == 0);
  CHECK(b2->duplicates() == 0);
}

TEST_CASE("a session that expires leaves its rooms") {
  test::test_node n{[](config::options& o) { o.lim.session_ttl_s = 1; }};
  client::io_thread io;
  auto a = join_node(n, io);
  auto b = join_node(n, io);
  auto room = create(a);
  b.ok("room.join", room_arg(room));
  a.event("room.joined");
  a.c->abort(); // the owner goes away for good
  CHECK(test::field<std::string>(b.event("room.away"), "member") == a.id());
  auto left = b.event("room.left");
  CHECK(test::field<std::string>(left, "member") == a.id());
  CHECK(test::field<std::string>(b.event("room.owner"), "owner") == b.id());
}

TEST_CASE("a member whose session has no connection left is away, and back "
          "once it resumes") {
  test::test_node n;
  client::io_thread io;
  auto a = join_node(n, io);
  auto b = join_node(n, io);
  auto room = create(a);
  b.ok("room.join", room_arg(room));
  a.event("room.joined");
  auto seen = b.c->last_seq();
  b.c->abort();
  auto away = a.event("room.away");
  CHECK(test::field<std::string>(away, "room") == room);
  CHECK(test::field<std::string>(away, "member") == b.id());
  // Still a member while away.
  CHECK(strings(a.ok("room.info", room_arg(room)), "members") ==
        std::vector<std::string>{a.id(), b.id()});
  auto b2 = n.join(io);
  REQUIRE(b2->resume_session(b.s.stream_token, seen));
  auto back = a.event("room.back");
  CHECK(test::field<std::string>(back, "member") == b.id());
  // A second connection of a session that has one changes nothing.
  auto b3 = n.join(io);
  REQUIRE(b3->attach_session(b.s.session_key));
  b3->close();
  CHECK(a.quiet());
}

TEST_CASE("a room without presence says nothing of members away or back") {
  test::test_node n;
  client::io_thread io;
  auto a = join_node(n, io);
  auto b = join_node(n, io);
  auto room = create(a, {{"presence", value::of(false)}});
  b.ok("room.join", room_arg(room));
  auto seen = b.c->last_seq();
  b.c->abort();
  auto b2 = n.join(io);
  REQUIRE(b2->resume_session(b.s.stream_token, seen));
  CHECK(a.quiet());
}

TEST_CASE("1000 members in one room all receive a broadcast exactly once") {
  rlimit files{};
  getrlimit(RLIMIT_NOFILE, &files);
  files.rlim_cur = files.rlim_max;
  setrlimit(RLIMIT_NOFILE, &files);
  test::test_node n{[](config::options& o) {
    o.lim.max_outbox_frames = 5000;
    // These clients send nothing once joined, and under TSan beside another
    // test this case runs for minutes: the node's silence limit (3
    // heartbeat intervals) would close them (CLOSE 3, then room.away).
    o.lim.heartbeat_ms = 120000;
  }};
  client::io_thread io;
  std::vector<member> ms;
  for (int i = 0; i < 1000; ++i) {
    ms.push_back(join_node(n, io));
    ms.back().c->auto_ack(64);
  }
  auto room = create(ms[0]);
  // All join at once, as a crowd does; the join events come in bursts.
  std::vector<std::future<client::answer>> joins;
  for (size_t i = 1; i < ms.size(); ++i)
    joins.push_back(ms[i].c->call("room.join", room_arg(room)));
  for (auto& f : joins) {
    REQUIRE(f.wait_for(60s) == std::future_status::ready);
    REQUIRE(f.get().ok());
  }
  ms[0].ok("room.broadcast",
           room_arg(room, {{"name", value::of(std::string{"all"})},
                           {"payload", value::of(42)}}));
  for (auto& m : ms) {
    // Skip the join events that came before the broadcast.
    while (true) {
      auto f = m.c->next(10s);
      REQUIRE(f);
      if (auto msg = std::get_if<codec::room_message>(&*f)) {
        CHECK(msg->payload == value::of(42));
        break;
      }
      INFO("got " << to_string(codec::kind_of(*f)));
      REQUIRE((std::holds_alternative<codec::signal>(*f) ||
               std::holds_alternative<codec::heartbeat>(*f)));
    }
  }
  for (auto& m : ms) {
    // Nothing more but heartbeats (a slow run outlasts an interval).
    while (auto f = m.c->next(1ms)) {
      std::string what = to_string(codec::kind_of(*f));
      if (auto c = std::get_if<codec::close>(&*f))
        what += " " + std::to_string(c->code) + " " + c->message;
      if (auto sg = std::get_if<codec::signal>(&*f))
        what += " " + sg->name;
      INFO("after the broadcast: " << what);
      CHECK(std::holds_alternative<codec::heartbeat>(*f));
    }
    CHECK(m.c->gaps() == 0);
    CHECK(m.c->duplicates() == 0);
  }
}

namespace {

/// Room logic for the tests: refuses "mallory", records joins and leaves,
/// and broadcasts "tick" on every tick.
struct logic_log {
  std::mutex mtx;
  std::vector<std::string> seen;
  std::atomic<int> ticks{0};

  room_logic_actor spawn(caf::actor_system& sys) {
    return sys.spawn([this](room_logic_actor::pointer self)
                         -> room_logic_actor::behavior_type {
      return {
          [](join_atom, room_actor, const std::string&, const std::string&,
             const value& info) {
            return codec::lookup(info, "name") !=
                   value::of(std::string{"mallory"});
          },
          [this](joined_atom, room_actor, const std::string&,
                 const std::string& member) {
            std::lock_guard<std::mutex> guard{mtx};
            seen.push_back("+" + member);
          },
          [this](left_atom, room_actor, const std::string&,
                 const std::string& member) {
            std::lock_guard<std::mutex> guard{mtx};
            seen.push_back("-" + member);
          },
          [this, self](tick_atom, room_actor room, const std::string&) {
            if (++ticks == 1)
              self->send(room, broadcast_atom::value, std::string{"tick"},
                         value::of(1));
          },
      };
    });
  }
};

} // namespace

TEST_CASE("a room type's logic vetoes joins and sees members and ticks") {
  logic_log log;
  test::test_node n{{}, [&log](runtime& rt) {
                      rt.add_room_type("game", log.spawn(rt.system()),
                                       std::chrono::milliseconds{50});
                    }};
  client::io_thread io;
  auto a = join_node(n, io, "ann");
  auto m = join_node(n, io, "mallory");
  auto room = create(a, {{"type", value::of(std::string{"game"})}});
  CHECK(m.error("room.join", room_arg(room)) == "forbidden");
  // The node speaks on the tick: ROOM_MESSAGE with an empty `from`.
  auto msg = test::expect<codec::room_message>(*a.c);
  CHECK(msg.name == "tick");
  CHECK(msg.from.empty());
  auto b = join_node(n, io, "bob");
  b.ok("room.join", room_arg(room));
  b.ok("room.leave", room_arg(room));
  CHECK(test::eventually([&] {
    std::lock_guard<std::mutex> guard{log.mtx};
    return log.seen == std::vector<std::string>{"+" + b.id(), "-" + b.id()};
  }));
}

TEST_CASE("a behavior creates a room that sessions then join") {
  test::test_node n{
      {}, [](runtime& rt) {
        auto* node = &rt;
        rt.add_behavior(
            "lobby", rt.system().spawn([node](behavior_actor::pointer self)
                                           -> behavior_actor::behavior_type {
              return requests_only([self, node](invoke_atom,
                                                const request_context& ctx,
                                                const value&) {
                responder r{ctx};
                self->request(node->rooms(), 5s, create_atom::value,
                              std::string{"lobby"},
                              test::map_of(
                                  {{"topic", value::of(std::string{"hello"})}}))
                    .then(
                        [r](const std::string& id) { r.reply(value::of(id)); });
              });
            }));
      }};
  client::io_thread io;
  auto a = join_node(n, io);
  std::string room;
  REQUIRE(a.ok("lobby", {}).convert_to(room));
  auto info = a.ok("room.info", room_arg(room));
  CHECK(test::field<std::string>(info, "owner").empty());
  CHECK(test::field<std::string>(codec::lookup(info, "props"), "topic") ==
        "hello");
  a.ok("room.join", room_arg(room));
  CHECK(test::field<std::string>(a.ok("room.info", room_arg(room)), "owner") ==
        a.id());
}

TEST_CASE("an op that changes no property sends no room.props event") {
  test::test_node n;
  client::io_thread io;
  auto a = join_node(n, io);
  auto room = create(a, {{"props", test::map_of({{"x", value::of(1)}})}});
  auto set =
      a.ok("room.props.set",
           room_arg(room, {{"props", test::map_of({{"x", value::of(1)},
                                                   {"y", value::of(2)}})}}));
  CHECK(strings(set, "set") == std::vector<std::string>{"x", "y"});
  // Only y changed, so the one event names only y.
  auto changed = codec::lookup(a.event("room.props"), "changed");
  CHECK(codec::lookup(changed, "x").is_nil());
  CHECK(codec::lookup(changed, "y") == value::of(2));
  a.ok("room.props.set",
       room_arg(room, {{"props", test::map_of({{"x", value::of(1)}})}}));
  CHECK(a.quiet());
  // A non-owner kick is not_owner before its payload is even read.
  auto b = join_node(n, io);
  b.ok("room.join", room_arg(room));
  CHECK(b.error("room.kick", room_arg(room)) == "not_owner");
}

TEST_CASE("room properties stay within the node's count and bytes: what "
          "would go over is refused with invalid and changes nothing") {
  test::test_node n{[](config::options& o) {
    o.lim.room_max_props = 3;
    o.lim.room_max_props_bytes = 100;
  }};
  client::io_thread io;
  auto a = join_node(n, io);
  auto big = value::of(std::string(200, 'x'));
  auto props = [](std::vector<std::pair<std::string, value>> kv) {
    return value::map(kv);
  };
  // At creation.
  CHECK(a.error("room.create",
                test::map_of({{"props", props({{"a", big}})}})) == "invalid");
  CHECK(a.error("room.create",
                test::map_of({{"props", props({{"a", value::of(1)},
                                               {"b", value::of(2)},
                                               {"c", value::of(3)},
                                               {"d", value::of(4)}})}})) ==
        "invalid");
  auto room = create(a, {{"props", props({{"a", value::of(1)}})}});
  auto set = [&](std::vector<std::pair<std::string, value>> kv) {
    return test::map_of({{"room", value::of(room)}, {"props", props(kv)}});
  };
  // Too many bytes, too many keys.
  CHECK(a.error("room.props.set", set({{"b", big}})) == "invalid");
  a.ok("room.props.set", set({{"b", value::of(2)}, {"c", value::of(3)}}));
  a.event("room.props");
  CHECK(a.error("room.props.set", set({{"d", value::of(4)}})) == "invalid");
  // Replacing or removing one makes room.
  a.ok("room.props.set", set({{"a", value{}}, {"d", value::of(4)}}));
  a.event("room.props");
  CHECK(a.error("room.props.cas",
                test::map_of({{"room", value::of(room)},
                              {"key", value::of(std::string{"d"})},
                              {"expect", value::of(4)},
                              {"value", big}})) == "invalid");
  CHECK(a.error("room.props.incr",
                test::map_of({{"room", value::of(room)},
                              {"key", value::of(std::string{"e"})}})) ==
        "invalid");
  CHECK(a.ok("room.props.incr",
             test::map_of({{"room", value::of(room)},
                           {"key", value::of(std::string{"d"})}})) ==
        test::map_of({{"value", value::of(5)}}));
  a.event("room.props");
  // What was refused changed nothing, and told no one.
  CHECK(codec::lookup(a.ok("room.props.get", room_arg(room)), "props") ==
        test::map_of(
            {{"b", value::of(2)}, {"c", value::of(3)}, {"d", value::of(5)}}));
  CHECK(a.quiet());
}

TEST_CASE("with the default limits a room's properties cannot make a join "
          "answer larger than max_message") {
  test::test_node n;
  client::io_thread io;
  auto a = join_node(n, io);
  auto room = create(a);
  // The probe's attack: 900 KiB values under new keys, again and again.
  auto huge = value::of(std::string(900 << 10, 'x'));
  for (int i = 0; i < 3; ++i)
    CHECK(
        a.error("room.props.set",
                test::map_of(
                    {{"room", value::of(room)},
                     {"props", test::map_of({{std::to_string(i), huge}})}})) ==
        "invalid");
  // 200 KiB fits once, not twice.
  auto part = value::of(std::string(200 << 10, 'y'));
  a.ok("room.props.set",
       test::map_of({{"room", value::of(room)},
                     {"props", test::map_of({{"one", part}})}}));
  a.event("room.props");
  CHECK(a.error("room.props.set",
                test::map_of({{"room", value::of(room)},
                              {"props", test::map_of({{"two", part}})}})) ==
        "invalid");
  auto b = join_node(n, io);
  auto joined = b.ok("room.join", room_arg(room));
  CHECK(joined.encoded().size() < (1u << 20));
}

TEST_CASE("a room's ttl_s has a ceiling and a node holds at most --max-rooms "
          "rooms: room.create beyond gets RETRY overloaded") {
  test::test_node n{[](config::options& o) {
    o.lim.room_max_ttl_s = 10;
    o.lim.room_ttl_s = 5;
    o.lim.max_rooms = 2;
  }};
  client::io_thread io;
  auto a = join_node(n, io);
  CHECK(a.error("room.create", test::map_of({{"ttl_s", value::of(11)}})) ==
        "invalid");
  CHECK(a.error("room.create",
                test::map_of({{"ttl_s", value::of(UINT64_MAX)}})) == "invalid");
  auto first = create(a, {{"ttl_s", value::of(10)}});
  create(a);
  auto full = a.call("room.create", value::empty_map());
  CHECK(full.what == client::answer::kind::retry);
  CHECK(full.message == "overloaded");
  CHECK(full.wait_ms > 0);
  // Deleting one makes room for another.
  a.ok("room.delete", room_arg(first));
  create(a);
}

TEST_CASE("a session may have made at most --max-rooms-per-session rooms "
          "that still exist") {
  test::test_node n{
      [](config::options& o) { o.lim.max_rooms_per_session = 2; }};
  client::io_thread io;
  auto a = join_node(n, io);
  auto first = create(a);
  create(a);
  CHECK(a.error("room.create", value::empty_map()) == "forbidden");
  // Another session has its own count.
  auto b = join_node(n, io);
  create(b);
  // A room gone from the node counts no longer.
  a.ok("room.delete", room_arg(first));
  CHECK(test::eventually(
      [&] {
        return a.call("room.create", value::empty_map()).what ==
               client::answer::kind::reply;
      },
      5s));
}
