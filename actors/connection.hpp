#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "actors/behavior_registry.hpp"
#include "actors/interfaces.hpp"
#include "config/limits.hpp"
#include "transport/channel.hpp"

namespace tether {

/// What every connection of a node shares, read-only.
struct connection_context {
  std::string node_name;
  config::limits limits;
  std::shared_ptr<const behavior_registry> behaviors;
  node_actor node;
};

/// A client request that has not been answered yet.
struct open_request {
  behavior_actor handler;
  request_context ctx;
  bool streamed = false;
  /// For a stream: the client sent its last part.
  bool upload_done = false;
};

/// The state of one connection actor: the handshake, the open requests of
/// both directions, heartbeats and limits. Holds no session state.
class connection_state {
 public:
  static inline const char* name = "tether.connection";

  using clock = std::chrono::steady_clock;
  using pointer = connection_actor::stateful_pointer<connection_state>;

  connection_state() = default;
  ~connection_state();

  void init(pointer self, std::shared_ptr<transport::channel> channel,
            std::shared_ptr<const connection_context> ctx, std::string id);

  // -- handlers
  // ----------------------------------------------------------------

  void on_inbound(inbound_message& msg);
  void on_too_big();
  void on_closed(const std::string& reason);
  void on_tick();
  void on_answer(codec::reply&& x);
  void on_answer(codec::error&& x);
  void on_answer(codec::retry&& x);
  void on_answer(codec::result_part&& x);
  void on_push(codec::signal&& x);
  caf::result<client_answer> on_call(codec::request&& x);
  caf::result<bool> on_credit();
  void on_drained();
  void on_drain();
  void on_grace();
  void on_down(const caf::down_msg& msg);

  /// Writes what was encoded, unless more messages wait in the mailbox:
  /// their output then joins the same WebSocket message.
  void flush_if_idle();

 private:
  using request_map = std::unordered_map<uint64_t, open_request>;

  void handle(codec::frame& f);
  void handle_hello(codec::hello& x);
  void handle_request(uint64_t id, std::string op, codec::value payload,
                      bool streamed);
  void handle_part(codec::stream_part& x);
  void handle_cancel(uint64_t id);
  void handle_client_answer(uint64_t id, client_answer answer);
  void answered(uint64_t id);
  void fail_all_open(const std::string& code, const std::string& message);

  template <class Frame> void emit(const Frame& x);
  void flush();
  void close_with(codec::close_code code, const std::string& message);
  void quit_if_done();
  void schedule_tick();
  uint64_t load() const;
  caf::actor_clock::time_point now() const;

  pointer self_ = nullptr;
  std::shared_ptr<transport::channel> channel_;
  std::shared_ptr<const connection_context> ctx_;
  std::string id_;
  bool welcomed_ = false;
  bool draining_ = false;
  bool closing_ = false;
  clock::time_point opened_at_;
  clock::time_point last_received_;
  clock::time_point last_sent_;
  request_map open_;
  size_t open_streams_ = 0;
  uint64_t next_call_id_ = 1;
  std::unordered_map<uint64_t, caf::typed_response_promise<client_answer>>
      calls_;
  std::vector<caf::typed_response_promise<bool>> credit_waiters_;
  std::unordered_set<caf::actor_addr> watched_;
  std::string out_;
};

/// Makes the transport's handler that forwards a channel's events to `actor`.
std::shared_ptr<transport::channel_handler>
make_connection_handler(connection_actor actor);

/// Spawns the actor of one upgraded WebSocket and registers it at the node.
connection_actor spawn_connection(caf::actor_system& sys,
                                  std::shared_ptr<transport::channel> channel,
                                  std::shared_ptr<const connection_context> ctx,
                                  std::string id);

} // namespace tether
