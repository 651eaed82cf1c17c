// Shutdown: open requests finish or fail cleanly, every client gets
// CLOSE 5, and the real binary exits 0 on SIGTERM.

#include <csignal>
#include <cstdio>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

#include <catch2/catch.hpp>

#include "tether/tests/support/child_node.hpp"
#include "tether/tests/support/http_call.hpp"
#include "tether/tests/support/test_node.hpp"

using namespace tether;
using namespace std::chrono_literals;
using codec::value;

namespace {

test::test_node slow_node(uint64_t grace_ms) {
  return test::test_node{
      [grace_ms](config::options& o) { o.lim.shutdown_grace_ms = grace_ms; },
      [](runtime& rt) {
        rt.add_behavior("slow", test::spawn_slow_echo(rt.system()));
      }};
}

} // namespace

TEST_CASE("shutdown lets open requests finish and then sends CLOSE 5") {
  auto n = slow_node(5000);
  client::io_thread io;
  auto c = n.join(io);
  auto idle = n.join(io);
  for (uint64_t id = 1; id <= 3; ++id)
    c->send(codec::request{id, "slow", value::of(200 + 50 * id)});
  // Let the requests reach the node before it drains.
  c->send(codec::request{99, "sys.echo", {}});
  CHECK(test::expect<codec::reply>(*c).id == 99);
  std::thread stopper{[&n] { n.node().shutdown(); }};
  for (uint64_t id = 1; id <= 3; ++id)
    CHECK(test::expect<codec::reply>(*c).id == id);
  CHECK(test::close_code_of(*c) == 5);
  CHECK(test::close_code_of(*idle) == 5);
  stopper.join();
}

TEST_CASE("requests still open after the grace period get ERROR shutdown") {
  auto n = slow_node(200);
  client::io_thread io;
  auto c = n.join(io);
  c->send(codec::request{1, "slow", value::of(60000)});
  c->send(codec::request{2, "sys.echo", {}});
  CHECK(test::expect<codec::reply>(*c).id == 2);
  auto start = std::chrono::steady_clock::now();
  std::thread stopper{[&n] { n.node().shutdown(); }};
  auto e = test::expect<codec::error>(*c);
  CHECK(e.id == 1);
  CHECK(e.code == "shutdown");
  CHECK(test::close_code_of(*c) == 5);
  stopper.join();
  CHECK(std::chrono::steady_clock::now() - start < 5s);
}

TEST_CASE("a draining node answers /health with 503 and refuses new "
          "WebSockets while its open requests finish") {
  auto n = slow_node(5000);
  client::io_thread io;
  auto c = n.join(io);
  CHECK(test::http_call(n.where(), "GET", "/health").status == 200);
  c->send(codec::request{1, "slow", value::of(600)});
  c->send(codec::request{2, "sys.echo", {}});
  CHECK(test::expect<codec::reply>(*c).id == 2);
  std::thread stopper{[&n] { n.node().shutdown(); }};
  CHECK(test::eventually(
      [&] {
        auto r = test::http_call(n.where(), "GET", "/health");
        return r.status == 503 && r.body == "draining\n";
      },
      2s));
  std::string error;
  CHECK(client::client::connect(io, n.where(), &error, 1s) == nullptr);
  // Answered (503), not left unanswered.
  CHECK(error.find("declined") != std::string::npos);
  // The open request still gets its answer, then CLOSE 5.
  CHECK(test::expect<codec::reply>(*c).id == 1);
  CHECK(test::close_code_of(*c) == 5);
  stopper.join();
}

TEST_CASE("a stopped node refuses new connections") {
  test::test_node n;
  n.node().shutdown();
  client::io_thread io;
  std::string error;
  CHECK(client::client::connect(io, n.where(), &error, 1s) == nullptr);
}

using test::child_node;

TEST_CASE("tether-node prints its URL and serves and exits 0 on SIGTERM") {
  child_node node{
      {"--listen", "127.0.0.1:0", "--log-level=warning", "--store=none"}};
  auto where = node.listening();
  REQUIRE(where);
  CHECK(where->path == "/ws");
  client::io_thread io;
  auto c = client::client::connect(io, *where);
  REQUIRE(c);
  REQUIRE(c->hello());
  auto f = c->call("sys.echo", value::of(1));
  REQUIRE(f.wait_for(5s) == std::future_status::ready);
  CHECK(f.get().payload == value::of(1));
  node.signal(SIGTERM);
  CHECK(test::close_code_of(*c) == 5);
  CHECK(node.wait_exit() == 0);
}

TEST_CASE("tether-node --help exits 0 and a bad option exits 2") {
  {
    child_node help{{"--help"}};
    CHECK(help.next_line().find("Usage: tether-node") != std::string::npos);
    CHECK(help.wait_exit() == 0);
  }
  {
    child_node bad{{"--no-such-option=1"}};
    CHECK(bad.wait_exit() == 2);
  }
  {
    child_node bad{{"--listen=nonsense"}};
    CHECK(bad.wait_exit() == 2);
  }
}

TEST_CASE("with a session the answers of a drain arrive before CLOSE 5") {
  auto n = slow_node(5000);
  client::io_thread io;
  auto c = n.join(io);
  REQUIRE(c->open_session());
  c->send(codec::request{1, "slow", value::of(300)});
  c->send(codec::request{2, "sys.echo", {}});
  CHECK(test::expect<codec::reply>(*c).id == 2);
  std::thread stopper{[&n] { n.node().shutdown(); }};
  CHECK(test::expect<codec::reply>(*c).id == 1);
  CHECK(test::close_code_of(*c) == 5);
  stopper.join();
}
