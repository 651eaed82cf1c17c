// A poll connection's channel on its own, run step by step on an
// io_context: what a GET takes and when, a newer GET, byte accounting, the
// pause on unhandled messages, the node's CLOSE and the idle backstop.

#include <catch2/catch.hpp>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "tether/tests/transport/recording_handler.hpp"
#include "tether/transport/poll_channel.hpp"
#include "tether/transport/poll_registry.hpp"

using namespace tether;
using namespace std::chrono_literals;
using transport::make_shared_bytes;
using transport::poll_answer;

namespace {

/// A channel opened with "hello", its handler and the answers it gave.
struct opened {
  transport::net::io_context ioc;
  transport::settings cfg;
  std::shared_ptr<test::recording_handler> handler =
      std::make_shared<test::recording_handler>();
  std::shared_ptr<transport::poll_channel> channel;
  std::vector<poll_answer> answers;

  explicit opened(transport::settings s = {}) : cfg(std::move(s)) {
    channel = std::make_shared<transport::poll_channel>(
        ioc.get_executor(), cfg, "peer:1", "token",
        transport::admission::ticket{});
    cfg.polls->add(channel);
    auto h = handler;
    channel->open([h](auto, uint64_t) { return h; }, 1, "hello", 10s, record());
    run();
  }

  /// Answers the opening POST with "w" (its WELCOME).
  void welcome() {
    channel->send(make_shared_bytes("w"));
    run();
  }

  transport::poll_reply record() {
    return [this](poll_answer a) { answers.push_back(std::move(a)); };
  }

  void run() {
    ioc.restart();
    ioc.poll();
  }
};

} // namespace

TEST_CASE("the opening POST is answered with the first frames sent") {
  opened c;
  REQUIRE(c.handler->messages.size() == 1);
  CHECK(c.handler->messages[0].bytes == "hello");
  CHECK(c.answers.empty());
  c.channel->send(make_shared_bytes("welcome"));
  c.channel->send(make_shared_bytes("+reply"));
  c.run();
  REQUIRE(c.answers.size() == 1);
  CHECK(c.answers[0].status == 200);
  // Sends made before the answer went out share it.
  CHECK(c.answers[0].body == "welcome+reply");
  CHECK(c.channel->retired_bytes() == 13);
  CHECK(c.channel->id_suffix() == ".token");
  CHECK(c.cfg.polls->find("node-1.token") == c.channel);
}

TEST_CASE("a GET takes everything waiting at once and a newer GET ends the "
          "older") {
  opened c;
  c.welcome();
  c.channel->send(make_shared_bytes("a"));
  c.channel->send(make_shared_bytes("b"));
  c.run();
  c.channel->take(10s, c.record());
  c.run();
  REQUIRE(c.answers.size() == 2);
  CHECK(c.answers[1].body == "ab");
  c.channel->take(10s, c.record());
  c.channel->take(10s, c.record());
  c.run();
  REQUIRE(c.answers.size() == 3);
  CHECK(c.answers[2].status == 204);
  c.channel->send(make_shared_bytes("c"));
  c.run();
  REQUIRE(c.answers.size() == 4);
  CHECK(c.answers[3].body == "c");
  // Each GET's start and end told the handler the client is there.
  CHECK(c.handler->polled >= 4);
}

TEST_CASE("a GET with nothing to take answers 204 after its wait") {
  opened c;
  c.welcome();
  c.channel->take(20ms, c.record());
  c.ioc.restart();
  c.ioc.run_for(200ms);
  REQUIRE(c.answers.size() == 2);
  CHECK(c.answers[1].status == 204);
}

TEST_CASE("POSTs pause while too many messages are unhandled") {
  transport::settings cfg;
  cfg.max_unhandled = 3;
  opened c{cfg};
  // "hello" is the first unhandled one.
  c.channel->deliver("a", c.record());
  c.run();
  REQUIRE(c.answers.size() == 1);
  CHECK(c.answers[0].status == 204);
  c.channel->deliver("b", c.record());
  c.run();
  CHECK(c.answers.size() == 1); // parked: three unhandled
  c.channel->deliver("c", c.record());
  c.run();
  REQUIRE(c.answers.size() == 2);
  CHECK(c.answers[1].status == 429);
  CHECK(c.handler->messages.size() == 3);
  c.channel->messages_handled(3);
  c.run();
  REQUIRE(c.answers.size() == 3);
  CHECK(c.answers[2].status == 204);
}

TEST_CASE("the node's CLOSE goes out with the next GET and then the "
          "connection is gone") {
  opened c;
  c.welcome();
  c.channel->send(make_shared_bytes("x"));
  c.channel->close(make_shared_bytes("CLOSE"));
  c.channel->send(make_shared_bytes("late"));
  c.run();
  CHECK(c.handler->closed.empty());
  c.channel->take(10s, c.record());
  c.run();
  REQUIRE(c.answers.size() == 2);
  CHECK(c.answers[1].body == "xCLOSE");
  REQUIRE(c.handler->closed.size() == 1);
  // Every byte sent is retired: taken, or dropped after the CLOSE.
  CHECK(c.channel->retired_bytes() == 1 + 1 + 5 + 4);
  CHECK(c.cfg.polls->find("node-1.token") == nullptr);
  c.channel->take(10s, c.record());
  c.run();
  CHECK(c.answers.back().status == 404);
}

TEST_CASE("a poll connection that hears nothing ends by itself") {
  transport::settings cfg;
  cfg.idle_timeout = 50ms;
  opened c{cfg};
  c.welcome();
  c.ioc.restart();
  c.ioc.run_for(1s);
  REQUIRE(c.handler->closed.size() == 1);
  CHECK(c.handler->closed[0].find("no request") != std::string::npos);
}
