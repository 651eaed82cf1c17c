// The WebSocket message path: messages as a client sends them, each handed
// to a real connection actor (as the socket does) of a node made of its
// real actors (node, session supervisor, rooms, the sys.* and room.* ops,
// the JWT authenticator letting anonymous clients in too), without a
// store. Messages are separated by `separator` in the input; once they
// are in, the socket closes, and the connection must let go of it within
// 20 s (libFuzzer calls 25 s a hang).

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <thread>

#include "caf_support.hpp"
#include "fuzz_support.hpp"
#include "tether/actors/auth/authenticators.hpp"
#include "tether/actors/behaviors/sys_ops.hpp"
#include "tether/actors/connection.hpp"
#include "tether/actors/node.hpp"
#include "tether/actors/rooms/room_relay.hpp"
#include "tether/actors/rooms/room_service.hpp"
#include "tether/actors/session/session_context.hpp"
#include "tether/actors/session/supervisor.hpp"
#include "tether/security/stream_token.hpp"

using namespace tether;

namespace {

/// Between two WebSocket messages of the input (make_corpus.py).
const std::string separator = "\xff\xfeMSG";

/// The socket as the connection sees it: takes what it is sent.
class null_channel : public transport::channel {
 public:
  void send(transport::shared_bytes message) override {
    retired_ += message->size();
  }
  void close(transport::shared_bytes last) override {
    if (last)
      retired_ += last->size();
    closed = true;
  }
  uint64_t retired_bytes() const override { return retired_; }
  void messages_handled(size_t) override {}
  void notify_when_below(size_t) override {}
  const std::string& remote() const override { return remote_; }

  std::atomic<bool> closed{false};

 private:
  std::atomic<uint64_t> retired_{0};
  std::string remote_ = "fuzz";
};

/// A node's actors, as runtime::start wires them, minus store and cluster.
std::shared_ptr<const connection_context> make_node() {
  auto& sys = fuzz::actor_system();
  config::limits lim;
  // Sessions and rooms the inputs leave behind end at once, not after
  // minutes of fuzzing: memory stays flat.
  lim.session_ttl_s = 0;
  lim.room_ttl_s = 0;
  lim.push_max_count = 100;
  auto bridges = std::make_shared<bridge_table>();
  auto sctx = std::make_shared<session_context>();
  sctx->node_name = "fuzz";
  sctx->url = "ws://127.0.0.1:1/ws";
  sctx->limits = lim;
  sctx->bridges = bridges;
  sctx->signer = std::make_shared<const security::stream_token_signer>(
      std::string(32, 'k')); // make_corpus.py
  auto node = spawn_node(sys, "fuzz");
  auto sessions = spawn_session_supervisor(sys, sctx);
  room_service_setup rooms_setup;
  rooms_setup.limits = lim;
  rooms_setup.sessions = sessions;
  rooms_setup.node_name = "fuzz";
  rooms_setup.relay = spawn_room_relay(sys);
  auto rooms = spawn_room_service(sys, rooms_setup);
  behavior_registry registry;
  add_room_behaviors(registry, rooms);
  add_sys_behaviors(sys, registry,
                    figure_sources{node, sessions, rooms, {}, {}}, lim);
  auto behaviors = std::make_shared<const behavior_registry>(registry);
  sctx->behaviors = behaviors;
  auto ctx = std::make_shared<connection_context>();
  ctx->node_name = "fuzz";
  ctx->limits = lim;
  ctx->behaviors = behaviors;
  ctx->node = node;
  ctx->sessions = sessions;
  ctx->authenticator = spawn_jwt_authenticator(sys, "fuzz-secret", true);
  ctx->bridges = bridges;
  return ctx;
}

/// Waits until the connection's actor (and every line) let go of its
/// socket; false after `patience`.
bool wait_until_gone(const bridge_table& bridges, const std::string& id) {
  auto patience = std::chrono::seconds{20};
  auto until = std::chrono::steady_clock::now() + patience;
  while (bridges.find(id) != nullptr) {
    if (std::chrono::steady_clock::now() > until)
      return false;
    std::this_thread::yield();
  }
  return true;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static auto ctx = make_node();
  static uint64_t number = 0;
  auto id = "fuzz-" + std::to_string(++number);
  auto channel = std::make_shared<null_channel>();
  auto handler = spawn_connection(fuzz::actor_system(), channel, ctx, id);
  auto input = fuzz::as_string(data, size);
  for (size_t start = 0; start <= input.size() && !channel->closed;) {
    auto end = input.find(separator, start);
    if (end == std::string::npos)
      end = input.size();
    handler->on_message(input.substr(start, end - start), true);
    start = end + separator.size();
  }
  handler->on_closed("fuzz input ended");
  handler.reset();
  fuzz::check(wait_until_gone(*ctx->bridges, id),
              "a connection outlived its socket by 20 s");
  return 0;
}
