#include "tether/tests/support/test_node.hpp"

#include <catch2/catch.hpp>

#include <caf/typed_event_based_actor.hpp>

#include "tether/actors/log.hpp"
#include "tether/security/crypto.hpp"
#include "tether/tests/support/test_threads.hpp"

namespace tether::test {

config::options test_options() {
  config::options opts;
  opts.listen_host = "127.0.0.1";
  opts.listen_port = 0;
  opts.node_name = "test-node";
  opts.log_level = "error";
  // A fresh secret per node: tests write no files.
  opts.secret = security::to_hex(security::random_bytes(32));
  opts.store = "none";
  if (auto n = test_threads())
    opts.io_threads = opts.actor_threads = *n;
  return opts;
}

test_node::test_node(tweak change, setup before_start) {
  auto opts = test_options();
  if (change)
    change(opts);
  log::set_level(opts.log_level == "debug" ? log::level::debug
                                           : log::level::error);
  rt_ = std::make_unique<runtime>(opts);
  if (before_start)
    before_start(*rt_);
  auto ec = rt_->start();
  if (ec)
    FAIL("node did not start: " << ec.message());
}

test_node::~test_node() = default;

client::endpoint test_node::where() const {
  client::endpoint e;
  e.host = "127.0.0.1";
  e.port = rt_->port();
  e.path = rt_->options().ws_path;
  return e;
}

std::shared_ptr<client::client>
test_node::connect(client::io_thread& io) const {
  std::string error;
  auto c = client::client::connect(io, where(), &error);
  if (!c)
    FAIL("cannot connect: " << error);
  return c;
}

std::shared_ptr<client::client> test_node::join(client::io_thread& io) const {
  auto c = connect(io);
  auto welcome = c->hello({}, "tether-cpp", welcome_wait);
  if (!welcome)
    FAIL("no WELCOME");
  return c;
}

codec::value map_of(std::vector<std::pair<std::string, codec::value>> kv) {
  return codec::value::map(kv);
}

std::shared_ptr<client::client> with_session(const test_node& n,
                                             client::io_thread& io,
                                             codec::session& out,
                                             uint64_t ack_every) {
  auto c = n.join(io);
  c->auto_ack(ack_every);
  std::string error;
  auto s = c->open_session({}, &error);
  if (!s)
    FAIL("SESSION_OPEN failed: " << error);
  out = *s;
  return c;
}

} // namespace tether::test

namespace tether::test {

uint64_t close_code_of(client::client& c) {
  while (auto f = c.next(std::chrono::seconds{5})) {
    if (auto x = std::get_if<codec::close>(&*f)) {
      REQUIRE(c.wait_closed());
      return x->code;
    }
  }
  FAIL("the connection ended without a CLOSE frame");
  return 0;
}

behavior_actor spawn_slow_echo(caf::actor_system& sys) {
  return sys.spawn(
      [](behavior_actor::pointer self) -> behavior_actor::behavior_type {
        return requests_only([self](invoke_atom, const request_context& ctx,
                                    const codec::value& payload) {
          uint64_t ms = 0;
          if (!payload.convert_to(ms))
            ms = 100;
          // The answer goes straight to the connection, later.
          self->delayed_send(responder{ctx}.origin(),
                             std::chrono::milliseconds{ms},
                             codec::reply{ctx.id, payload});
        });
      });
}

} // namespace tether::test
