// A call never waits on a connection that is gone: it fails at once on a
// closed one, and fails when the node goes away while it is open.

#include <csignal>

#include <catch2/catch.hpp>

#include "tether/tests/client/helpers.hpp"
#include "tether/tests/support/child_node.hpp"

using namespace tether;
using namespace std::chrono_literals;
using codec::value;

namespace {

bool ready(std::future<client::answer>& f,
           std::chrono::milliseconds within = 5s) {
  return f.wait_for(within) == std::future_status::ready;
}

} // namespace

TEST_CASE("a call on a closed connection fails at once") {
  test::test_node n;
  client::io_thread io;
  auto c = n.join(io);
  c->close();
  c->wait_closed();
  REQUIRE(c->closed());
  auto f = c->call("sys.echo", value::of(1));
  REQUIRE(ready(f, 0ms));
  auto a = f.get();
  CHECK(a.what == client::answer::kind::closed);
  CHECK(a.code == "closed");
  auto s = c->call_stream("sys.sink", {value::of(1)});
  REQUIRE(ready(s, 0ms));
  CHECK(s.get().what == client::answer::kind::closed);
}

TEST_CASE("a call racing the connection's end fails, never hangs") {
  test::test_node n;
  client::io_thread io;
  // abort() ends the connection on the I/O thread while the call is made
  // here: whichever comes first, the future completes.
  for (int i = 0; i < 50; ++i) {
    auto c = n.join(io);
    c->abort();
    auto f = c->call("sys.echo", value::of(i));
    INFO("round " << i);
    REQUIRE(ready(f));
  }
}

TEST_CASE("a call open when its in-process node is destroyed fails") {
  auto n = std::make_unique<test::test_node>(
      [](config::options& o) { o.lim.shutdown_grace_ms = 100; },
      [](runtime& rt) {
        rt.add_behavior("slow", test::spawn_slow_echo(rt.system()));
      });
  client::io_thread io;
  auto c = n->join(io);
  auto f = c->call("slow", value::of(60000));
  // The node has it (a later echo's answer came), and it is still open.
  REQUIRE(c->call("sys.echo", value::of(1)).get().ok());
  REQUIRE(f.wait_for(0ms) == std::future_status::timeout);
  n.reset();
  REQUIRE(ready(f));
  auto a = f.get();
  CHECK_FALSE(a.ok());
  INFO(a.code << " " << a.message);
  CHECK((a.what == client::answer::kind::closed || a.code == "shutdown"));
}

TEST_CASE("a call open when its node is killed fails") {
  test::child_node node{{"--listen=127.0.0.1:0", "--log-level=error",
                         "--store=none", "--node-name=killed"}};
  auto where = node.listening();
  REQUIRE(where);
  client::io_thread io;
  std::string error;
  auto c = client::client::open(io, test::url_of(*where), error);
  REQUIRE(c);
  // A stopped node takes the request into its socket and never answers.
  test::freeze(node);
  auto f = c->call("sys.echo", value::of(1));
  REQUIRE(f.wait_for(0ms) == std::future_status::timeout);
  node.signal(SIGKILL);
  REQUIRE(ready(f));
  CHECK(f.get().what == client::answer::kind::closed);
  CHECK(node.wait_exit() == -1);
}

TEST_CASE("close() ends the open calls even when the node never answers") {
  test::child_node node{{"--listen=127.0.0.1:0", "--log-level=error",
                         "--store=none", "--node-name=stopped"}};
  auto where = node.listening();
  REQUIRE(where);
  client::io_thread io;
  std::string error;
  auto c = client::client::open(io, test::url_of(*where), error);
  REQUIRE(c);
  test::freeze(node);
  auto f = c->call("sys.echo", value::of(1));
  REQUIRE(f.wait_for(0ms) == std::future_status::timeout);
  // The WebSocket close waits for a node that is stopped: the call not.
  c->close();
  REQUIRE(ready(f, 0ms));
  CHECK(f.get().what == client::answer::kind::closed);
  auto later = c->call("sys.echo", value::of(2));
  REQUIRE(ready(later, 0ms));
  node.signal(SIGKILL);
}
