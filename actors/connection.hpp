#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "tether/actors/behavior_registry.hpp"
#include "tether/actors/bridge.hpp"
#include "tether/actors/interfaces.hpp"
#include "tether/actors/lazy_hub.hpp"
#include "tether/actors/outlet/drain.hpp"
#include "tether/actors/outlet/outlet.hpp"
#include "tether/config/limits.hpp"
#include "tether/transport/channel.hpp"

namespace tether {

/// What every connection of a node shares, read-only.
struct connection_context {
  std::string node_name;
  config::limits limits;
  std::shared_ptr<const behavior_registry> behaviors;
  node_actor node;
  session_supervisor_actor sessions;
  authenticator_actor authenticator;
  /// The node's bridges, where each connection puts its own.
  std::shared_ptr<bridge_table> bridges;
  /// Handled messages told to the socket at once (see `bridge`).
  size_t report_every = 32;
  /// The node's counts (`/metrics`, the log's summary).
  std::shared_ptr<traffic> counts;
};

/// The state of one connection actor: the handshake, heartbeats, limits and
/// CLOSE codes. Without a session it runs the client's requests itself;
/// with one it hands them to its session's line, which numbers and keeps
/// what the client gets. It never holds session state.
class connection_state {
 public:
  static inline const char* name = "tether.connection";

  using clock = std::chrono::steady_clock;
  using pointer = connection_actor::stateful_pointer<connection_state>;

  connection_state() = default;
  ~connection_state();

  void init(pointer self, std::shared_ptr<bridge> socket,
            std::shared_ptr<const connection_context> ctx);

  // -- handlers
  // ----------------------------------------------------------------

  void on_inbound(inbound_message& msg);
  void on_too_big();
  void on_closed(const std::string& reason);
  void on_tick();
  /// A long poll counts as the client's heartbeat.
  void on_polled();
  /// A behavior's REPLY, ERROR, RETRY or RESULT_PART.
  template <class Answer> void on_answer(Answer&& x) {
    hub_.answer(std::move(x));
  }
  void on_push(codec::signal&& x);
  caf::result<client_answer> on_call(codec::request&& x);
  caf::result<uint64_t> on_credit(uint64_t wanted);
  void on_drained();
  void on_stall(uint64_t epoch);
  void on_drain();
  /// The node drains into its cluster: without a session, CLOSE 5 sends
  /// the client to `redirect`.
  void on_drain(std::string redirect);
  void on_grace();
  /// The line let go: no session any more, the connection stays open.
  void on_released();
  /// The line ends this connection with CLOSE `code`.
  void on_line_close(uint64_t code, const std::string& message,
                     const std::string& redirect);
  void on_down(const caf::down_msg& msg);

  /// Ends every handler: writes what it produced (see `outlet`) and closes
  /// a client that does not read.
  void end_of_handler();

  outlet& out() { return out_; }

  /// Closes with CLOSE `code` (after what was written).
  void close_with(codec::close_code code, const std::string& message,
                  const std::string& redirect = {});

 private:
  /// Handles frames in order until one needs an answer from another actor
  /// (authentication, attaching a session); the rest wait in `backlog_`.
  void process(std::vector<codec::frame>& frames);
  /// CLOSE 5 at the end of a drain.
  void close_drained();
  /// Lets go of the requests and the line: the connection is ending.
  void let_go();
  /// Handles one frame; false when processing must wait for an answer.
  bool handle(codec::frame& f);
  bool handle_hello(codec::hello& x);
  /// SESSION_OPEN, SESSION_ATTACH or SESSION_RESUME.
  template <class Frame> bool handle_session(Frame& x);
  void welcome(const auth_result& result);
  void attached(uint64_t request_id, const attach_result& result);
  /// Counts a SESSION_RESUME by its outcome.
  void count_resume(const attach_result& r);
  void resume_backlog();
  void forward_to_line();

  template <class Frame> void emit(const Frame& x);
  void schedule_tick();
  uint64_t load() const;

  pointer self_ = nullptr;
  std::shared_ptr<bridge> socket_;
  std::shared_ptr<const connection_context> ctx_;
  /// The requests of a sessionless client.
  lazy_hub hub_;
  outlet out_;
  drain drain_;
  /// SESSION_ATTACH and SESSION_RESUME refused as not found so far.
  uint64_t session_misses_ = 0;
  /// Where CLOSE 5 at the end of a drain sends the client (empty: nowhere).
  std::string drain_redirect_;
  /// The session line this connection is attached to, if any.
  line_actor line_;
  /// Frames for the line, sent as one message per WebSocket message.
  std::vector<codec::frame> to_line_;
  /// Frames waiting while an answer from another actor is awaited.
  std::vector<codec::frame> backlog_;
  codec::value claims_;
  bool hello_seen_ = false;
  bool welcomed_ = false;
  bool closing_ = false;
  clock::time_point opened_at_;
  clock::time_point last_received_;
  clock::time_point last_sent_;
};

/// Spawns the actor of one upgraded WebSocket, puts its bridge in the
/// node's table and registers it at the node. The answer is what the
/// socket reports its events to.
std::shared_ptr<transport::channel_handler>
spawn_connection(caf::actor_system& sys,
                 std::shared_ptr<transport::channel> channel,
                 std::shared_ptr<const connection_context> ctx, std::string id);

} // namespace tether
