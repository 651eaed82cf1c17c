#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "actors/behavior_registry.hpp"
#include "actors/interfaces.hpp"
#include "actors/lazy_hub.hpp"
#include "config/limits.hpp"
#include "transport/channel.hpp"

namespace tether {

/// What every connection of a node shares, read-only.
struct connection_context {
  std::string node_name;
  config::limits limits;
  std::shared_ptr<const behavior_registry> behaviors;
  node_actor node;
  session_supervisor_actor sessions;
  authenticator_actor authenticator;
};

/// The state of one connection actor: the handshake, heartbeats, limits and
/// CLOSE codes. Without a session it runs the client's requests itself;
/// with one it hands them to its stream, which numbers and keeps what the
/// client gets. It never holds session state.
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
  /// A behavior's REPLY, ERROR, RETRY or RESULT_PART.
  template <class Answer> void on_answer(Answer&& x) {
    hub_.answer(std::move(x));
  }
  void on_push(codec::signal&& x);
  caf::result<client_answer> on_call(codec::request&& x);
  caf::result<bool> on_credit();
  void on_drained();
  void on_drain();
  void on_grace();
  void on_detached(bool close, uint64_t code, const std::string& message);
  void on_down(const caf::down_msg& msg);

  /// Writes what was encoded, unless more messages wait in the mailbox:
  /// their output then joins the same WebSocket message.
  void flush_if_idle();

 private:
  /// Handles frames in order until one needs an answer from another actor
  /// (authentication, attaching a session); the rest wait in `backlog_`.
  /// Lets go of the requests and the stream: the connection is ending.
  void let_go();
  void process(std::vector<codec::frame>& frames);
  /// Handles one frame; false when processing must wait for an answer.
  bool handle(codec::frame& f);
  bool handle_hello(codec::hello& x);
  void welcome(const auth_result& result);
  void attached(uint64_t request_id, const attach_result& result);
  void resume_backlog();
  void forward_to_stream();

  template <class Frame> void emit(const Frame& x);
  void flush();
  void close_with(codec::close_code code, const std::string& message);
  void schedule_tick();
  uint64_t load() const;

  pointer self_ = nullptr;
  std::shared_ptr<transport::channel> channel_;
  std::shared_ptr<const connection_context> ctx_;
  std::string id_;
  /// The requests of a sessionless client.
  lazy_hub hub_;
  /// The session stream this connection is attached to, if any.
  stream_actor stream_;
  /// Frames for the stream, sent as one message per WebSocket message.
  std::vector<codec::frame> to_stream_;
  /// Frames waiting while an answer from another actor is awaited.
  std::vector<codec::frame> backlog_;
  codec::value claims_;
  bool hello_seen_ = false;
  bool welcomed_ = false;
  bool draining_ = false;
  bool closing_ = false;
  clock::time_point opened_at_;
  clock::time_point last_received_;
  clock::time_point last_sent_;
  std::vector<caf::typed_response_promise<bool>> credit_waiters_;
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
