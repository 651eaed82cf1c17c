// Requests, answers, streams and signals in both directions, with the
// built-in ops and custom behaviors, over real sockets.

#include <atomic>
#include <set>

#include <caf/typed_event_based_actor.hpp>
#include <catch2/catch.hpp>

#include "tether/codec/encode.hpp"
#include "tether/config/version.hpp"
#include "tether/tests/support/test_node.hpp"

using namespace tether;
using namespace std::chrono_literals;
using codec::value;

namespace {

client::answer await(std::future<client::answer>& f) {
  if (f.wait_for(10s) != std::future_status::ready)
    throw std::runtime_error("no answer within 10 s");
  return f.get();
}

client::answer call(client::client& c, const std::string& op, value payload) {
  auto f = c.call(op, std::move(payload));
  return await(f);
}

} // namespace

TEST_CASE("sys.echo answers with the same payload") {
  test::test_node n;
  client::io_thread io;
  auto c = n.join(io);
  for (auto payload :
       {value{}, value::of(42), value::of(std::string{"hello"}),
        test::map_of(
            {{"a", value::of(1)}, {"b", value::of(std::vector<int>{1, 2})}})}) {
    auto a = call(*c, "sys.echo", payload);
    REQUIRE(a.what == client::answer::kind::reply);
    CHECK(a.payload == payload);
  }
}

TEST_CASE("an unknown op gets ERROR unknown_op") {
  test::test_node n;
  client::io_thread io;
  auto c = n.join(io);
  auto a = call(*c, "no.such.op", {});
  REQUIRE(a.what == client::answer::kind::error);
  CHECK(a.code == "unknown_op");
}

TEST_CASE("sys.info reports the node") {
  test::test_node n;
  client::io_thread io;
  auto c = n.join(io);
  auto other = n.join(io);
  auto a = call(*c, "sys.info", {});
  REQUIRE(a.ok());
  CHECK(test::field<std::string>(a.payload, "node") == "test-node");
  CHECK(test::field<uint64_t>(a.payload, "version") == 1);
  CHECK(test::field<uint64_t>(a.payload, "connections") == 2);
  CHECK(test::field<uint64_t>(a.payload, "sessions") == 0);
  CHECK(test::field<uint64_t>(a.payload, "rooms") == 0);
  CHECK(test::field<uint64_t>(a.payload, "uptime_s") < 60);
  CHECK(test::field<std::string>(a.payload, "build") ==
        config::build_version());
  // Test nodes run without a store.
  CHECK(test::field<std::string>(a.payload, "store") == "none");
}

TEST_CASE("the built-in ops can be turned off") {
  test::test_node n{[](config::options& o) { o.sys_ops = false; }};
  client::io_thread io;
  auto c = n.join(io);
  CHECK(call(*c, "sys.echo", {}).code == "unknown_op");
}

TEST_CASE("sys.stream answers with count RESULT_PARTs of size bytes") {
  test::test_node n;
  client::io_thread io;
  auto c = n.join(io);
  auto a =
      call(*c, "sys.stream",
           test::map_of({{"count", value::of(5)}, {"size", value::of(1000)}}));
  REQUIRE(a.what == client::answer::kind::parts);
  REQUIRE(a.parts.size() == 5);
  for (auto& p : a.parts) {
    std::vector<char> bytes;
    REQUIRE(p.convert_to(bytes));
    CHECK(bytes.size() == 1000);
  }
}

TEST_CASE("sys.stream larger than the outbox arrives whole") {
  // 64 parts of 512 KiB: 32 MiB through an 8 MiB outbox, paced by credit.
  test::test_node n;
  client::io_thread io;
  auto c = n.join(io);
  auto a = call(*c, "sys.stream",
                test::map_of({{"count", value::of(64)},
                              {"size", value::of(512 * 1024)}}));
  REQUIRE(a.what == client::answer::kind::parts);
  CHECK(a.parts.size() == 64);
  // A CLOSE 7 right after the last part would wait unread in the inbox.
  CHECK_FALSE(c->next(std::chrono::milliseconds{300}).has_value());
  CHECK_FALSE(c->closed());
}

TEST_CASE("sys.stream rejects bad arguments with ERROR invalid") {
  test::test_node n;
  client::io_thread io;
  auto c = n.join(io);
  CHECK(call(*c, "sys.stream", value::of(3)).code == "invalid");
  CHECK(call(*c, "sys.stream",
             test::map_of({{"count", value::of(0)}, {"size", value::of(1)}}))
            .code == "invalid");
  CHECK(call(*c, "sys.stream",
             test::map_of(
                 {{"count", value::of(1)}, {"size", value::of(1 << 21)}}))
            .code == "invalid");
}

TEST_CASE("sys.sink counts the parts and bytes of a STREAM") {
  test::test_node n;
  client::io_thread io;
  auto c = n.join(io);
  std::vector<value> parts;
  for (int i = 0; i < 10; ++i)
    parts.push_back(value::of(std::vector<char>(100, 'z')));
  auto f = c->call_stream("sys.sink", parts);
  auto a = await(f);
  REQUIRE(a.what == client::answer::kind::reply);
  CHECK(test::field<uint64_t>(a.payload, "parts") == 10);
  CHECK(test::field<uint64_t>(a.payload, "bytes") == 1000);
}

TEST_CASE("sys.push answers REPLY then sends count SIGNALs") {
  test::test_node n;
  client::io_thread io;
  auto c = n.join(io);
  c->send(codec::request{7, "sys.push",
                         test::map_of({{"name", value::of(std::string{"tick"})},
                                       {"payload", value::of(9)},
                                       {"count", value::of(3)}})});
  auto r = test::expect<codec::reply>(*c);
  CHECK(r.id == 7);
  for (int i = 0; i < 3; ++i) {
    auto s = test::expect<codec::signal>(*c);
    CHECK(s.name == "tick");
    CHECK(s.payload == value::of(9));
  }
}

TEST_CASE("sys.push refuses a count over --push-max-count with invalid") {
  test::test_node n{[](config::options& o) { o.lim.push_max_count = 5; }};
  client::io_thread io;
  auto c = n.join(io);
  auto push = [&](uint64_t count) {
    return call(*c, "sys.push",
                test::map_of({{"name", value::of(std::string{"t"})},
                              {"count", value::of(count)}}));
  };
  CHECK(push(6).code == "invalid");
  CHECK(push(UINT64_MAX).code == "invalid");
  CHECK(push(5).ok());
  for (int i = 0; i < 5; ++i)
    CHECK(test::expect<codec::signal>(*c).name == "t");
}

TEST_CASE("several frames in one message are all answered in batches") {
  test::test_node n;
  client::io_thread io;
  auto c = n.join(io);
  auto before = c->messages_received();
  std::vector<codec::frame> batch;
  for (uint64_t id = 1; id <= 50; ++id)
    batch.emplace_back(codec::request{id, "sys.echo", value::of(id)});
  c->send(batch);
  std::set<uint64_t> ids;
  for (int i = 0; i < 50; ++i) {
    auto r = test::expect<codec::reply>(*c);
    CHECK(r.payload == value::of(r.id));
    ids.insert(r.id);
  }
  CHECK(ids.size() == 50);
  // sys.echo runs inline: the answers to one message share one message.
  CHECK(c->messages_received() - before <= 2);
}

TEST_CASE("pipelining 10000 requests on one connection") {
  test::test_node n{[](config::options& o) { o.lim.max_inflight = 20000; }};
  client::io_thread io;
  auto c = n.join(io);
  std::vector<std::future<client::answer>> answers;
  for (int i = 0; i < 10000; ++i)
    answers.push_back(c->call("sys.echo", value::of(i)));
  for (int i = 0; i < 10000; ++i) {
    auto a = await(answers[i]);
    REQUIRE(a.what == client::answer::kind::reply);
    REQUIRE(a.payload == value::of(i));
  }
}

TEST_CASE("200 concurrent connections are all served") {
  test::test_node n;
  client::io_thread io;
  std::vector<std::shared_ptr<client::client>> clients;
  for (int i = 0; i < 200; ++i)
    clients.push_back(n.join(io));
  std::vector<std::future<client::answer>> answers;
  for (int i = 0; i < 200; ++i)
    answers.push_back(clients[i]->call("sys.echo", value::of(i)));
  for (int i = 0; i < 200; ++i)
    CHECK(await(answers[i]).payload == value::of(i));
  auto info = call(*clients[0], "sys.info", {});
  CHECK(test::field<uint64_t>(info.payload, "connections") == 200);
}

TEST_CASE("more than max_inflight open requests get RETRY overloaded") {
  test::test_node n{[](config::options& o) { o.lim.max_inflight = 4; },
                    [](runtime& rt) {
                      rt.add_behavior("slow",
                                      test::spawn_slow_echo(rt.system()));
                    }};
  client::io_thread io;
  auto c = n.join(io);
  std::vector<std::future<client::answer>> open;
  for (int i = 0; i < 4; ++i)
    open.push_back(c->call("slow", value::of(300)));
  auto extra = c->call("slow", value::of(1));
  auto a = await(extra);
  REQUIRE(a.what == client::answer::kind::retry);
  CHECK(a.message == "overloaded");
  for (auto& f : open)
    CHECK(await(f).ok());
  // The id is free again: the same request now goes through.
  CHECK(call(*c, "slow", value::of(1)).ok());
}

TEST_CASE("more than max_streams open streams get RETRY stream_limit") {
  test::test_node n{[](config::options& o) { o.lim.max_streams = 2; }};
  client::io_thread io;
  auto c = n.join(io);
  // Two streams opened and left open (no last part yet).
  c->send(codec::stream{1, "sys.sink", value::of(1)});
  c->send(codec::stream{2, "sys.sink", value::of(1)});
  c->send(codec::stream{3, "sys.sink", value::of(1)});
  auto r = test::expect<codec::retry>(*c);
  CHECK(r.id == 3);
  CHECK(r.reason == "stream_limit");
  c->send(codec::stream_part{1, value::of(2), true});
  auto done = test::expect<codec::reply>(*c);
  CHECK(done.id == 1);
  CHECK(test::field<uint64_t>(done.payload, "parts") == 2);
}

TEST_CASE("CANCEL answers ERROR cancelled and nothing else") {
  test::test_node n{{}, [](runtime& rt) {
                      rt.add_behavior("slow",
                                      test::spawn_slow_echo(rt.system()));
                    }};
  client::io_thread io;
  auto c = n.join(io);
  c->send(codec::request{11, "slow", value::of(200)});
  c->send(codec::cancel{11});
  auto e = test::expect<codec::error>(*c);
  CHECK(e.id == 11);
  CHECK(e.code == "cancelled");
  // The late answer of the behavior is dropped: an echo arrives next.
  c->send(codec::request{12, "slow", value::of(400)});
  auto r = test::expect<codec::reply>(*c, 5s);
  CHECK(r.id == 12);
}

TEST_CASE("a throwing behavior answers ERROR internal without internals") {
  test::test_node n{
      {}, [](runtime& rt) {
        rt.add_behavior(
            "boom",
            lift(rt.system(), request_function{[](const request_context&,
                                                  const value&) -> op_result {
                   throw std::runtime_error("secret-detail");
                 }}));
      }};
  client::io_thread io;
  auto c = n.join(io);
  auto a = call(*c, "boom", {});
  REQUIRE(a.what == client::answer::kind::error);
  CHECK(a.code == "internal");
  CHECK(a.message.find("secret") == std::string::npos);
}

TEST_CASE("an inline behavior answers on a connection and on a session") {
  test::test_node n{
      {}, [](runtime& rt) {
        rt.add_inline_behavior(
            "twice",
            [](const request_context&, const value& payload) -> op_result {
              int64_t x = 0;
              if (!payload.convert_to(x))
                return op_error{"invalid", "send an int"};
              if (x < 0)
                throw std::runtime_error("secret-detail");
              return value::of(2 * x);
            });
      }};
  auto number = [](const value& v) {
    int64_t x = 0;
    v.convert_to(x);
    return x;
  };
  client::io_thread io;
  auto c = n.join(io);
  auto a = call(*c, "twice", value::of(21));
  REQUIRE(a.what == client::answer::kind::reply);
  CHECK(number(a.payload) == 42);
  CHECK(call(*c, "twice", value::of(std::string{"x"})).code == "invalid");
  auto thrown = call(*c, "twice", value::of(-1));
  CHECK(thrown.code == "internal");
  CHECK(thrown.message.find("secret") == std::string::npos);
  c->send(codec::stream{9, "twice", value::of(1)});
  CHECK(test::expect<codec::error>(*c).code == "invalid");
  // On a session the answer is numbered like any other.
  REQUIRE(c->open_session());
  auto b = call(*c, "twice", value::of(5));
  CHECK(number(b.payload) == 10);
}

TEST_CASE("a behavior actor that dies answers ERROR internal") {
  test::test_node n{
      {}, [](runtime& rt) {
        rt.add_behavior(
            "die", rt.system().spawn([](behavior_actor::pointer self)
                                         -> behavior_actor::behavior_type {
              return {
                  [self](invoke_atom, const request_context&, const value&) {
                    self->quit(caf::sec::runtime_error);
                  },
                  [](open_atom, const request_context&, const value&) {},
                  [](part_atom, const request_context&, const value&, bool) {},
                  [](cancel_atom, const request_context&) {},
                  [](signal_atom, const request_context&, const value&) {},
              };
            }));
      }};
  client::io_thread io;
  auto c = n.join(io);
  auto a = call(*c, "die", {});
  REQUIRE(a.what == client::answer::kind::error);
  CHECK(a.code == "internal");
}

TEST_CASE("a custom behavior answers with an application error") {
  test::test_node n{
      {}, [](runtime& rt) {
        rt.add_behavior(
            "greet",
            lift(rt.system(), request_function{[](const request_context&,
                                                  const value& p) -> op_result {
                   std::string name;
                   if (!p.convert_to(name) || name.empty())
                     return op_error{"invalid", "name missing"};
                   return value::of("hello, " + name);
                 }}));
      }};
  client::io_thread io;
  auto c = n.join(io);
  CHECK(call(*c, "greet", value::of(std::string{"ada"})).payload ==
        value::of(std::string{"hello, ada"}));
  auto e = call(*c, "greet", value::of(5));
  CHECK(e.code == "invalid");
  CHECK(e.message == "name missing");
}

TEST_CASE("a behavior asks the client and uses its answer") {
  test::test_node n{
      {}, [](runtime& rt) {
        rt.add_behavior(
            "double.by.client",
            rt.system().spawn([](behavior_actor::pointer self)
                                  -> behavior_actor::behavior_type {
              return requests_only([self](invoke_atom,
                                          const request_context& ctx,
                                          const value& p) {
                responder r{ctx};
                self->request(r.origin(), 5s,
                              codec::request{0, "client.double", p})
                    .then(
                        [r](const client_answer& a) {
                          if (a.ok)
                            r.reply(a.payload);
                          else
                            r.fail("client_failed", a.code);
                        },
                        [r](const caf::error&) {
                          r.fail("timeout", "the client did not answer");
                        });
              });
            }));
      }};
  client::io_thread io;
  auto c = n.join(io);
  c->on_request([](const codec::request& req) {
    client::served s;
    int x = 0;
    if (req.op != "client.double" || !req.payload.convert_to(x)) {
      s.error_code = "unknown_op";
      return s;
    }
    s.payload = value::of(2 * x);
    return s;
  });
  CHECK(call(*c, "double.by.client", value::of(21)).payload == value::of(42));
  CHECK(call(*c, "double.by.client", value::of(std::string{"x"})).code ==
        "client_failed");
}

TEST_CASE("a client SIGNAL reaches the behavior bound to its name") {
  std::atomic<int> seen{0};
  test::test_node n{
      {}, [&seen](runtime& rt) {
        rt.add_behavior(
            "note", rt.system().spawn([&seen](behavior_actor::pointer)
                                          -> behavior_actor::behavior_type {
              return {
                  [](invoke_atom, const request_context& ctx, const value&) {
                    responder{ctx}.reply({});
                  },
                  [](open_atom, const request_context& ctx, const value&) {
                    refuse_stream(ctx);
                  },
                  [](part_atom, const request_context&, const value&, bool) {},
                  [](cancel_atom, const request_context&) {},
                  [&seen](signal_atom, const request_context& ctx,
                          const value& p) {
                    int x = 0;
                    if (ctx.op == "note" && p.convert_to(x))
                      seen += x;
                  },
              };
            }));
      }};
  client::io_thread io;
  auto c = n.join(io);
  c->send(codec::signal{"note", value::of(5)});
  c->send(codec::signal{"unbound.name", value::of(1)}); // never answered
  // A request after the signals is answered after they were handled.
  CHECK(call(*c, "note", {}).ok());
  CHECK(seen == 5);
  CHECK_FALSE(c->next(100ms).has_value());
}

TEST_CASE("with two I/O and two actor threads concurrent clients get every "
          "answer") {
  // More than one I/O thread puts each socket on its own strand.
  test::test_node n{[](config::options& o) {
    o.io_threads = 2;
    o.actor_threads = 2;
  }};
  client::io_thread io;
  std::vector<std::shared_ptr<client::client>> clients;
  for (int i = 0; i < 8; ++i)
    clients.push_back(n.join(io));
  std::vector<std::vector<std::future<client::answer>>> pending(clients.size());
  for (int k = 0; k < 200; ++k)
    for (size_t i = 0; i < clients.size(); ++i)
      pending[i].push_back(clients[i]->call(
          "sys.echo", value::of(static_cast<int>(i * 1000 + k))));
  for (size_t i = 0; i < clients.size(); ++i)
    for (int k = 0; k < 200; ++k) {
      auto a = await(pending[i][k]);
      REQUIRE(a.what == client::answer::kind::reply);
      REQUIRE(a.payload == value::of(static_cast<int>(i * 1000 + k)));
    }
}
