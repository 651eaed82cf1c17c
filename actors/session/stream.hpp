#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <unordered_map>

#include "actors/behavior_registry.hpp"
#include "actors/interfaces.hpp"
#include "actors/lazy_hub.hpp"
#include "config/limits.hpp"
#include "security/stream_token.hpp"
#include "transport/lazy_queue.hpp"

namespace tether {

/// What every stream of a node shares, read-only.
struct stream_context {
  std::string node_name;
  config::limits limits;
  std::shared_ptr<const behavior_registry> behaviors;
  std::shared_ptr<const security::stream_token_signer> signer;
};

/// Who a stream belongs to; fixed for its lifetime.
struct stream_identity {
  session_actor session;
  std::string session_id;
  std::string session_key;
  codec::map_value info;
  uint64_t number = 0;
};

/// The state of one stream actor: its numbered outbox, the request ids it
/// has answered (exactly-once), and the connection it is attached to.
class stream_state {
 public:
  static inline const char* name = "tether.stream";

  using clock = std::chrono::steady_clock;
  using pointer = stream_actor::stateful_pointer<stream_state>;

  stream_state() = default;

  void init(pointer self, std::shared_ptr<const stream_context> ctx,
            stream_identity id);

  // -- from the connection
  // -------------------------------------------------------

  void on_frames(client_frames& x);
  caf::result<attach_result> on_attach(attach_request& req, bool resume,
                                       uint64_t generation, uint64_t last_seq);
  void on_detach(const caf::actor& connection);
  caf::result<bool> on_close_request(uint64_t request_id);

  // -- from behaviors and the session -----------------------------------------

  /// A behavior's REPLY, ERROR, RETRY or RESULT_PART.
  template <class Answer> void on_answer(Answer&& x) {
    hub_.answer(std::move(x));
  }
  void on_push(codec::signal&& x);
  void on_push(transport::shared_bytes encoded);
  caf::result<client_answer> on_call(codec::request&& x);
  caf::result<bool> on_credit();
  void on_session_closed();
  void on_drain();
  void on_grace();
  void on_tick();
  void on_down(const caf::down_msg& msg);
  void on_flush() {
    flush_scheduled_ = false;
    flush();
  }

 private:
  struct kept_frame {
    uint64_t seq;
    transport::shared_bytes bytes;
  };

  /// Numbers a frame, keeps it until acknowledged, and sends it.
  void emit(const codec::frame& x);
  void keep_and_send(std::string_view inner);
  /// Queues an encoded frame for the socket. Frames that arrive while more
  /// messages wait in the mailbox share one WebSocket message (written by a
  /// flush behind them); a lone frame is written at once, with no copy.
  void send(transport::shared_bytes bytes);
  void flush();
  void acknowledge(uint64_t seq);
  void release_connection(bool close, codec::close_code code,
                          const std::string& message);
  void settle_credit();
  bool outbox_has_room() const;

  pointer self_ = nullptr;
  std::shared_ptr<const stream_context> ctx_;
  stream_identity id_;
  lazy_hub hub_;
  // The attached connection, if any.
  caf::actor connection_;
  /// Frames waiting to go out as one WebSocket message.
  std::string out_;
  bool flush_scheduled_ = false;
  /// Above 0 while one handler sends many frames (a replay): they are
  /// written together at its end.
  int bulk_ = 0;
  uint64_t generation_ = 0;
  clock::time_point detached_since_;
  // The numbered frames not yet acknowledged, oldest first.
  transport::lazy_queue<kept_frame> outbox_;
  size_t outbox_bytes_ = 0;
  uint64_t next_seq_ = 1;
  uint64_t acked_ = 0;
  /// Frames were dropped (the outbox overflowed while detached): a resume
  /// can only get `resume_gap`.
  bool broken_ = false;
  /// Answered request ids and the seq of their answers, until acknowledged.
  std::unordered_map<uint64_t, uint64_t> answered_;
  std::vector<caf::typed_response_promise<bool>> credit_waiters_;
  /// SESSION_CLOSE requests of this stream, answered once it has closed.
  std::vector<caf::typed_response_promise<bool>> close_waiters_;
  /// The attached connection's socket, to see how much waits in it.
  std::shared_ptr<transport::channel> channel_;
  bool draining_ = false;
};

/// Spawns a stream of a session (not yet attached).
stream_actor spawn_stream(caf::actor_system& sys,
                          std::shared_ptr<const stream_context> ctx,
                          stream_identity id);

} // namespace tether
