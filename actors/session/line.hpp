#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <unordered_map>

#include "actors/interfaces.hpp"
#include "actors/lazy_hub.hpp"
#include "actors/outlet/drain.hpp"
#include "actors/outlet/outlet.hpp"
#include "actors/session/session_context.hpp"
#include "containers/lazy_queue.hpp"

namespace tether {

/// Who a line belongs to; fixed for its lifetime.
struct line_identity {
  session_actor session;
  std::string session_id;
  std::string session_key;
  codec::map_value info;
  /// The line's number in its session (the stream number of its tokens).
  uint64_t number = 0;
};

/// The state of one line actor: its numbered outbox, the request ids it
/// has answered (exactly-once), and the connection it is attached to. What
/// reaches the socket goes through its outlet.
class line_state {
 public:
  static inline const char* name = "tether.line";

  using clock = std::chrono::steady_clock;
  using pointer = line_actor::stateful_pointer<line_state>;

  line_state() = default;

  void init(pointer self, std::shared_ptr<const session_context> ctx,
            line_identity id);

  // -- from the connection
  // -------------------------------------------------------

  void on_frames(client_frames& x);
  caf::result<attach_result> on_attach(attach_request& req, bool resume,
                                       uint64_t generation, uint64_t last_seq);
  void on_detach(const caf::actor& connection);
  caf::result<bool> on_session_close(uint64_t request_id);

  // -- from behaviors and the session -----------------------------------------

  /// A behavior's REPLY, ERROR, RETRY or RESULT_PART.
  template <class Answer> void on_answer(Answer&& x) {
    hub_.answer(std::move(x));
  }
  void on_push(codec::signal&& x);
  void on_push(transport::shared_bytes encoded);
  caf::result<client_answer> on_call(codec::request&& x);
  caf::result<uint64_t> on_credit(uint64_t wanted);
  void on_stall(uint64_t epoch);
  void on_session_closed();
  void on_drain();
  void on_grace();
  void on_tick();
  void on_down(const caf::down_msg& msg);

  outlet& out() { return out_; }
  /// Ends every handler: writes what it produced (see `outlet`).
  void end_of_handler() { out_.end_of_handler(); }

 private:
  struct kept_frame {
    uint64_t seq;
    transport::shared_bytes bytes;
    /// Counted against `max_outbox_frames` (refusals are not, see `emit`).
    bool counted;
  };

  /// Numbers a frame, keeps it until acknowledged, and writes it.
  void emit(const codec::frame& x);
  void keep_and_send(std::string_view inner, bool counted);
  /// Takes the client's ACK; false if it acknowledges a seq never sent.
  bool acknowledge(uint64_t seq);
  void release_connection(bool close, codec::close_code code,
                          const std::string& message);
  outlet::kept_load kept() const { return {outbox_.size(), outbox_bytes_}; }
  std::string name_of() const;

  pointer self_ = nullptr;
  std::shared_ptr<const session_context> ctx_;
  line_identity id_;
  lazy_hub hub_;
  outlet out_;
  drain drain_;
  /// The attached connection, if any.
  caf::actor connection_;
  uint64_t generation_ = 0;
  clock::time_point detached_since_;
  /// The numbered frames not yet acknowledged, oldest first.
  containers::lazy_queue<kept_frame> outbox_;
  size_t outbox_bytes_ = 0;
  /// Kept frames counted against `max_outbox_frames`.
  size_t counted_frames_ = 0;
  uint64_t next_seq_ = 1;
  uint64_t acked_ = 0;
  /// Frames were dropped (the outbox overflowed while detached): a resume
  /// can only get `resume_gap`.
  bool broken_ = false;
  /// Answered request ids and the seq of their answers, until acknowledged.
  std::unordered_map<uint64_t, uint64_t> answered_;
  /// SESSION_CLOSE requests of this line, answered once it has closed.
  std::vector<caf::typed_response_promise<bool>> close_waiters_;
};

/// Spawns a line of a session (not yet attached).
line_actor spawn_line(caf::actor_system& sys,
                      std::shared_ptr<const session_context> ctx,
                      line_identity id);

} // namespace tether
