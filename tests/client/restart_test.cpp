// The session client and real tether-node processes: drained (SIGTERM,
// CLOSE 5 with an empty redirect), restarted on their store on the same
// port, and killed.

#include <csignal>

#include <catch2/catch.hpp>

#include "tether/tests/client/helpers.hpp"
#include "tether/tests/support/child_node.hpp"

using namespace tether;
using namespace std::chrono_literals;
using codec::value;
using kind = client::session_event::kind;

namespace {

/// A node on `port` keeping its sessions in `dir`.
std::unique_ptr<test::child_node> start_node(const test::temp_dir& dir,
                                             uint16_t port) {
  auto node = std::make_unique<test::child_node>(std::vector<std::string>{
      "--listen=127.0.0.1:" + std::to_string(port), "--node-name=restarted",
      "--log-level=error", "--data-dir=" + dir.path()});
  auto where = node->listening();
  REQUIRE(where);
  REQUIRE(where->port == port);
  return node;
}

client::session_options options_for(uint16_t port) {
  client::session_options o;
  o.url = test::url_of(port);
  o.min_delay = 20ms;
  o.max_delay = 200ms;
  o.step_timeout = 2s;
  return o;
}

value push_payload(const std::string& name) {
  return test::map_of({{"name", value::of(name)},
                       {"payload", value::of(0)},
                       {"count", value::of(1)}});
}

client::answer answer_of(std::future<client::answer> f,
                         std::chrono::milliseconds within = 10s) {
  REQUIRE(f.wait_for(within) == std::future_status::ready);
  return f.get();
}

/// SIGTERM: the node drains (CLOSE 5) and exits 0.
void drain(test::child_node& node) {
  node.signal(SIGTERM);
  auto code = node.wait_exit(10s);
  REQUIRE(code);
  CHECK(*code == 0);
}

} // namespace

TEST_CASE("a node restarted on its store: the session client resumes, and "
          "calls made around the restart run once") {
  test::temp_dir dir;
  auto port = test::free_port();
  auto node = start_node(dir, port);
  client::io_thread io;
  test::event_log events;
  test::signal_count signals;
  client::session_client sc{io, options_for(port)};
  events.attach(sc);
  signals.attach(sc);
  sc.start();
  REQUIRE(sc.wait_live(5s));
  auto id = sc.session_id();
  // One call just before the drain (answered before it, refused by it
  // with RETRY, or re-sent after the resume: once in any case), one while
  // the node is down.
  auto before = sc.call("sys.push", push_payload("before"));
  drain(*node);
  REQUIRE(events.wait_for(kind::disconnected));
  auto during = sc.call("sys.push", push_payload("during"));
  CHECK(during.wait_for(0ms) == std::future_status::timeout);
  node = start_node(dir, port);
  REQUIRE(events.wait_for(kind::resumed));
  INFO(events.summary());
  CHECK(answer_of(std::move(before)).ok());
  CHECK(answer_of(std::move(during)).ok());
  // The stream is in order: once this echo is answered, every SIGNAL of
  // the pushes before it has come.
  CHECK(answer_of(sc.call("sys.echo", value::of(1))).ok());
  CHECK(signals.of("before") == 1);
  CHECK(signals.of("during") == 1);
  CHECK(sc.session_id() == id);
  CHECK(events.count(kind::resume_gap) == 0);
  CHECK(events.count(kind::new_session) == 0);
}

TEST_CASE("CLOSE 5 with an empty redirect: the client comes back to the "
          "same URL once the node is back") {
  test::temp_dir dir;
  auto port = test::free_port();
  auto node = start_node(dir, port);
  client::io_thread io;
  test::event_log events;
  client::session_client sc{io, options_for(port)};
  events.attach(sc);
  sc.start();
  REQUIRE(sc.wait_live(5s));
  drain(*node);
  REQUIRE(events.wait_for(kind::disconnected));
  // It keeps trying while nobody listens.
  REQUIRE(events.wait_for(kind::reconnecting, 3));
  CHECK(sc.state() == client::session_state::connecting);
  node = start_node(dir, port);
  REQUIRE(events.wait_for(kind::resumed));
  REQUIRE(sc.wait_live(5s));
  auto all = events.all();
  INFO(events.summary());
  auto gone = std::find_if(all.begin(), all.end(), [](const auto& e) {
    return e.what == kind::disconnected;
  });
  REQUIRE(gone != all.end());
  CHECK(gone->close_code == uint64_t{5});
  for (const auto& e : all)
    if (e.what == kind::reconnecting || e.what == kind::resumed)
      CHECK(e.url == test::url_of(port));
  CHECK(answer_of(sc.call("sys.echo", value::of(2))).ok());
}

TEST_CASE("a node killed mid-call: the session client's call completes or "
          "fails once the node is back, and close() ends the wait") {
  test::temp_dir dir;
  auto port = test::free_port();
  auto node = start_node(dir, port);
  client::io_thread io;
  test::event_log events;
  client::session_client sc{io, options_for(port)};
  events.attach(sc);
  sc.start();
  REQUIRE(sc.wait_live(5s));
  // A stopped node takes the request into its socket and never answers.
  test::freeze(*node);
  auto open = sc.call("sys.echo", value::of(1));
  node->signal(SIGKILL);
  CHECK(node->wait_exit() == -1);
  REQUIRE(events.wait_for(kind::disconnected));
  SECTION("restarted: resumed (the call re-sent) or a gap (it fails)") {
    node = start_node(dir, port);
    auto a = answer_of(std::move(open));
    INFO(events.summary() << " / " << a.code);
    CHECK((a.ok() || a.code == "resume_gap"));
    REQUIRE(sc.wait_live(5s));
    CHECK(answer_of(sc.call("sys.echo", value::of(2))).ok());
  }
  SECTION("never back: close() fails it at once") {
    REQUIRE(open.wait_for(0ms) == std::future_status::timeout);
    sc.close();
    auto a = answer_of(std::move(open), 0ms);
    CHECK(a.what == client::answer::kind::closed);
  }
}
