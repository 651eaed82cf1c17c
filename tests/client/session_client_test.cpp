// The session client against in-process nodes: exactly-once across a
// dropped connection, a lost stream, a lost session, redirects, refusals
// and close().

#include <catch2/catch.hpp>

#include "tether/actors/auth/authenticators.hpp"
#include "tether/tests/client/helpers.hpp"

using namespace tether;
using namespace std::chrono_literals;
using codec::value;
using kind = client::session_event::kind;

namespace {

client::session_options options_for(const std::string& url,
                                    std::chrono::milliseconds min = 20ms,
                                    std::chrono::milliseconds max = 200ms) {
  client::session_options o;
  o.url = url;
  o.min_delay = min;
  o.max_delay = max;
  o.step_timeout = 2s;
  return o;
}

client::answer answer_of(std::future<client::answer> f,
                         std::chrono::milliseconds within = 10s) {
  REQUIRE(f.wait_for(within) == std::future_status::ready);
  return f.get();
}

} // namespace

TEST_CASE("a session client opens a session and calls made before start go "
          "out on its first stream") {
  test::test_node n;
  client::io_thread io;
  test::event_log events;
  client::session_client sc{io, options_for(test::url_of(n.where()))};
  events.attach(sc);
  auto early = sc.call("sys.echo", value::of(7));
  sc.start();
  REQUIRE(sc.wait_live(5s));
  CHECK(events.wait_for(kind::connected));
  auto a = answer_of(std::move(early));
  CHECK(a.ok());
  CHECK(a.payload == value::of(7));
  CHECK_FALSE(sc.session_id().empty());
  CHECK(sc.state() == client::session_state::live);
}

TEST_CASE("a request running when the connection drops runs once and its one "
          "answer reaches the caller after the resume") {
  auto runs = std::make_shared<std::atomic<int>>(0);
  test::test_node n{
      {}, [runs](runtime& rt) {
        rt.add_behavior("count", test::spawn_counting_slow(rt.system(), runs));
      }};
  client::io_thread io;
  test::event_log events;
  // The same over a WebSocket and over long polling.
  auto polling = GENERATE(false, true);
  auto url = polling ? test::poll_url_of(n.where()) : test::url_of(n.where());
  SECTION("dropped while it runs: the re-sent id is not run again") {
    INFO(url);
    client::session_client sc{io, options_for(url)};
    events.attach(sc);
    sc.start();
    REQUIRE(sc.wait_live(5s));
    auto f = sc.call("count", value::of(300));
    REQUIRE(test::eventually([&] { return runs->load() == 1; }));
    sc.drop_connection();
    REQUIRE(events.wait_for(kind::resumed));
    auto a = answer_of(std::move(f));
    CHECK(a.ok());
    CHECK(a.payload == value::of(300));
    CHECK(runs->load() == 1);
    CHECK(events.count(kind::resume_gap) == 0);
  }
  SECTION("answered while it was away: the replay brings the answer") {
    // The first wait is min_delay exactly: longer than the request runs.
    INFO(url);
    client::session_client sc{io, options_for(url, 400ms, 400ms)};
    events.attach(sc);
    sc.start();
    REQUIRE(sc.wait_live(5s));
    auto f = sc.call("count", value::of(100));
    REQUIRE(test::eventually([&] { return runs->load() == 1; }));
    sc.drop_connection();
    REQUIRE(events.wait_for(kind::resumed));
    auto a = answer_of(std::move(f));
    CHECK(a.ok());
    CHECK(runs->load() == 1);
    // A later call on the same stream: its id is new, it runs.
    CHECK(answer_of(sc.call("count", value::of(1))).ok());
    CHECK(runs->load() == 2);
  }
}

TEST_CASE("a stream that lost frames: the client attaches a new stream of "
          "the same session, says so, and fails the call whose answer is "
          "lost") {
  auto runs = std::make_shared<std::atomic<int>>(0);
  test::test_node n{
      [](config::options& o) { o.lim.max_outbox_frames = 5; },
      [runs](runtime& rt) {
        rt.add_behavior("count", test::spawn_counting_slow(rt.system(), runs));
      }};
  client::io_thread io;
  test::event_log events;
  std::promise<void> flooded;
  auto away = flooded.get_future().share();
  std::atomic<bool> first{true};
  client::session_client sc{io, options_for(test::url_of(n.where()))};
  sc.on_event([&](const client::session_event& e) {
    events.add(e);
    // The first reconnect waits here until the stream overflowed.
    if (e.what == kind::reconnecting && first.exchange(false))
      away.wait_for(10s);
  });
  sc.start();
  REQUIRE(sc.wait_live(5s));
  auto id = sc.session_id();
  auto created = answer_of(
      sc.call("room.create", test::map_of({{"presence", value::of(false)}})));
  REQUIRE(created.ok());
  auto room = test::field<std::string>(created.payload, "room");
  codec::session other_s;
  auto other = test::with_session(n, io, other_s, 1);
  auto joined =
      other->call("room.join", test::map_of({{"room", value::of(room)}}));
  REQUIRE(joined.get().ok());
  auto slow = sc.call("count", value::of(2000));
  REQUIRE(test::eventually([&] { return runs->load() == 1; }));
  sc.drop_connection();
  REQUIRE(events.wait_for(kind::reconnecting));
  // More frames than the detached stream may keep: it drops them, so the
  // resume cannot be whole.
  for (int i = 0; i < 10; ++i) {
    auto sent =
        other->call("room.broadcast",
                    test::map_of({{"room", value::of(room)},
                                  {"name", value::of(std::string{"flood"})},
                                  {"payload", value::of(i)},
                                  {"exclude_self", value::of(true)}}));
    auto done = sent.get();
    INFO("broadcast " << i << ": " << done.code << " " << done.message);
    REQUIRE(done.ok());
  }
  flooded.set_value();
  auto gap_came = events.wait_for(kind::resume_gap);
  INFO(events.summary());
  REQUIRE(gap_came);
  auto all = events.all();
  auto gap = std::find_if(all.begin(), all.end(), [](const auto& e) {
    return e.what == kind::resume_gap;
  });
  CHECK(gap->reason == "resume_gap");
  CHECK(gap->lost_calls == 1);
  auto a = answer_of(std::move(slow));
  CHECK(a.what == client::answer::kind::error);
  CHECK(a.code == "resume_gap");
  CHECK(sc.session_id() == id);
  CHECK(answer_of(sc.call("sys.echo", value::of(3))).ok());
  // Still a member: the session is the same.
  auto info = answer_of(
      sc.call("room.info", test::map_of({{"room", value::of(room)}})));
  CHECK(info.ok());
  CHECK(runs->load() == 1);
}

TEST_CASE("a session gone while the client was away: a new one is opened "
          "and the app is told") {
  test::test_node n;
  client::io_thread io;
  test::event_log events;
  std::promise<void> session_deleted;
  auto deleted = session_deleted.get_future().share();
  std::atomic<bool> first{true};
  client::session_client sc{io, options_for(test::url_of(n.where()))};
  sc.on_event([&](const client::session_event& e) {
    events.add(e);
    // The first reconnect waits here until the test closed the session.
    if (e.what == kind::reconnecting && first.exchange(false))
      deleted.wait_for(10s);
  });
  sc.start();
  REQUIRE(sc.wait_live(5s));
  auto old_id = sc.session_id();
  auto key = sc.session_key();
  sc.drop_connection();
  REQUIRE(events.wait_for(kind::reconnecting));
  {
    auto other = n.join(io);
    REQUIRE(other->attach_session(key));
    other->send(codec::session_close{99});
    REQUIRE(test::expect<codec::reply>(*other).id == 99);
  }
  session_deleted.set_value();
  REQUIRE(events.wait_for(kind::new_session));
  REQUIRE(sc.wait_live(5s));
  CHECK(sc.session_id() != old_id);
  CHECK(answer_of(sc.call("sys.echo", value::of(1))).ok());
}

TEST_CASE("the node closing the session stops the client for good") {
  test::test_node n;
  client::io_thread io;
  test::event_log events;
  client::session_client sc{io, options_for(test::url_of(n.where()))};
  events.attach(sc);
  sc.start();
  REQUIRE(sc.wait_live(5s));
  auto other = n.join(io);
  REQUIRE(other->attach_session(sc.session_key()));
  other->send(codec::session_close{1});
  REQUIRE(sc.wait_stopped(5s));
  CHECK(events.count(kind::reconnecting) == 0);
  auto f = sc.call("sys.echo", value::of(1));
  REQUIRE(f.wait_for(0ms) == std::future_status::ready);
  CHECK(f.get().what == client::answer::kind::closed);
}

TEST_CASE("CLOSE 8: a session client with a bad token stops and says so, "
          "without retrying") {
  test::test_node n{[](config::options& o) {
    o.auth = "jwt";
    o.jwt_secret = "client-test-secret";
  }};
  client::io_thread io;
  auto o = options_for(test::url_of(n.where()));
  o.auth = codec::map_value{test::map_of({{"token", value::of("not.a.jwt")}})};
  test::event_log events;
  client::session_client sc{io, o};
  events.attach(sc);
  auto waiting = sc.call("sys.echo", value::of(1));
  sc.start();
  REQUIRE(sc.wait_stopped(5s));
  REQUIRE(events.wait_for(kind::stopped));
  auto all = events.all();
  INFO(events.summary());
  REQUIRE(all.size() == 1);
  CHECK(all[0].close_code == uint64_t{8});
  CHECK(events.count(kind::reconnecting) == 0);
  auto a = answer_of(std::move(waiting), 0ms);
  CHECK(a.what == client::answer::kind::closed);
  CHECK(a.code == "stopped");
}

TEST_CASE("close() fails every open call at once and stops for good") {
  test::test_node n{{}, [](runtime& rt) {
                      rt.add_behavior("slow",
                                      test::spawn_slow_echo(rt.system()));
                    }};
  client::io_thread io;
  test::event_log events;
  client::session_client sc{io, options_for(test::url_of(n.where()))};
  events.attach(sc);
  sc.start();
  REQUIRE(sc.wait_live(5s));
  auto f = sc.call("slow", value::of(60000));
  REQUIRE(test::eventually([&] { return sc.open_calls() == 1; }));
  sc.close();
  CHECK(sc.state() == client::session_state::stopped);
  REQUIRE(f.wait_for(0ms) == std::future_status::ready);
  CHECK(f.get().what == client::answer::kind::closed);
  auto later = sc.call("sys.echo", value::of(1));
  REQUIRE(later.wait_for(0ms) == std::future_status::ready);
  CHECK(later.get().what == client::answer::kind::closed);
  CHECK(events.count(kind::stopped) == 1);
  CHECK(events.count(kind::reconnecting) == 0);
}

TEST_CASE("a node nobody can reach: the client keeps trying with growing "
          "waits until closed") {
  auto port = test::free_port(); // Nothing listens there.
  client::io_thread io;
  test::event_log events;
  client::session_client sc{io, options_for(test::url_of(port), 5ms, 40ms)};
  events.attach(sc);
  auto f = sc.call("sys.echo", value::of(1));
  sc.start();
  REQUIRE(events.wait_for(kind::reconnecting, 6));
  sc.close();
  auto all = events.all();
  for (const auto& e : all)
    if (e.what == kind::reconnecting) {
      CHECK(e.delay >= 5ms);
      CHECK(e.delay <= 40ms);
      CHECK(e.url == test::url_of(port));
    }
  CHECK(answer_of(std::move(f), 0ms).what == client::answer::kind::closed);
}

TEST_CASE("CLOSE 5 with a redirect: the client goes there at once") {
  test::test_node n;
  test::redirector away{test::url_of(n.where())};
  client::io_thread io;
  test::event_log events;
  client::session_client sc{io, options_for(away.url(), 1000ms, 2000ms)};
  events.attach(sc);
  sc.start();
  REQUIRE(sc.wait_live(5s));
  CHECK(away.served() == 1);
  // Live may come before the event of it is told.
  REQUIRE(events.wait_for(kind::connected));
  auto all = events.all();
  INFO(events.summary());
  REQUIRE(all.size() == 2);
  CHECK(all[0].what == kind::reconnecting);
  CHECK(all[0].delay == 0ms);
  CHECK(all[0].url == test::url_of(n.where()));
  CHECK(all[1].what == kind::connected);
  CHECK(all[1].url == test::url_of(n.where()));
  CHECK(answer_of(sc.call("sys.echo", value::of(1))).ok());
}

TEST_CASE("redirects in a row are followed at most max_redirects times") {
  // A node that sends every client back to itself: after three redirects
  // the client backs off before the next try.
  test::redirector loop{test::redirector::self};
  client::io_thread io;
  test::event_log events;
  client::session_client sc{io, options_for(loop.url(), 5ms, 20ms)};
  events.attach(sc);
  sc.start();
  REQUIRE(events.wait_for(kind::reconnecting, 4));
  sc.close();
  auto all = events.all();
  INFO(events.summary());
  REQUIRE(all.size() >= 4);
  for (int i = 0; i < 3; ++i) {
    CHECK(all[i].what == kind::reconnecting);
    CHECK(all[i].delay == 0ms);
  }
  CHECK(all[3].what == kind::reconnecting);
  CHECK(all[3].delay >= 5ms);
  CHECK(all[3].url == loop.url());
}

TEST_CASE("heartbeats keep an idle session client's connection open") {
  test::test_node n{[](config::options& o) { o.lim.heartbeat_ms = 250; }};
  client::io_thread io;
  test::event_log events;
  client::session_client sc{io, options_for(test::url_of(n.where()))};
  events.attach(sc);
  sc.start();
  REQUIRE(sc.wait_live(5s));
  // Three silent intervals would be CLOSE 3: ten pass without one. (At
  // 100 ms a loaded machine's stall of 300 ms closed it: 1 CI run in 3.)
  CHECK_FALSE(events.wait_for(kind::disconnected, 1, 2500ms));
  CHECK(sc.state() == client::session_state::live);
}
