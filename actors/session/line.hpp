#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>

#include "tether/actors/interfaces.hpp"
#include "tether/actors/lazy_hub.hpp"
#include "tether/actors/outlet/drain.hpp"
#include "tether/actors/outlet/outlet.hpp"
#include "tether/actors/session/kept_budget.hpp"
#include "tether/actors/session/session_context.hpp"
#include "tether/containers/lazy_queue.hpp"
#include "tether/records/records.hpp"
#include "tether/store/changes.hpp"

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

/// Where a line restored from the store comes from: its record, and
/// whether the node that saved it stopped cleanly (else since when it was
/// gone, Unix ms).
struct line_origin {
  std::shared_ptr<const records::line_record> record;
  bool clean = true;
  uint64_t lost_at_ms = 0;
  /// Migrated from another node: this node's store has none of it yet.
  bool imported = false;
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
  ~line_state();

  void init(pointer self, std::shared_ptr<const session_context> ctx,
            line_identity id, line_origin origin = {});

  // -- from the connection
  // -------------------------------------------------------

  void on_frames(client_frames& x);
  caf::result<attach_result> on_attach(attach_request& req, bool resume,
                                       uint64_t generation, uint64_t last_seq);
  void on_detach(const connection_actor& connection);
  caf::result<bool> on_session_close(uint64_t request_id);

  // -- from behaviors and the session -----------------------------------------

  /// A behavior's REPLY, ERROR, RETRY or RESULT_PART.
  template <class Answer> void on_answer(Answer&& x) {
    hub_.answer(std::move(x));
  }
  void on_push(codec::signal&& x);
  /// Room traffic, taken as its delivery class says.
  void on_push(const encoded_frame& x);
  /// The socket drained: frames that waited for it go now.
  void on_drained();
  caf::result<client_answer> on_call(codec::request&& x);
  caf::result<uint64_t> on_credit(uint64_t wanted);
  void on_stall(uint64_t epoch);
  void on_session_closed();
  void on_drain();
  void on_grace();
  void on_tick();
  void on_settle(uint64_t epoch);
  void on_down(const caf::down_msg& msg);
  caf::result<records::line_record> on_freeze();
  void on_thaw();
  void on_moved(const std::string& url, const session_actor& there);
  /// Answered once the store committed what this line saved so far.
  caf::result<bool> saved();

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
  /// Frames at most this many written and unacknowledged: the rest wait
  /// in the outbox (see `pump` for bytes).
  uint64_t write_window() const;

  /// Numbers a frame, keeps it until acknowledged, and writes it.
  void emit(const codec::frame& x);
  /// `answers` is the request a final answer is for (0 with `final` false).
  void keep_and_send(std::string_view inner, bool counted, bool final = false,
                     uint64_t answers = 0);
  /// Writes the frames that wait, oldest first, while the socket's share
  /// of the outbox (`write_window`, the outlet's low water) has room;
  /// `everything` writes them all.
  void pump(bool everything = false);
  /// Whether one more frame of `bytes` would take the outbox over its
  /// limits (CLOSE 7, or lost frames while detached).
  bool over_limits(bool counted, size_t bytes) const;
  /// Whether the node keeps more than `max_kept_bytes` and this line is
  /// one of those behind (`over_limits` then holds too).
  bool over_node_budget(size_t bytes) const;
  /// `drop`: whether this line is too far behind to take it.
  bool too_far_behind(const encoded_frame& x) const;
  /// `latest`: puts `x` in place of the waiting frame of its key, if any.
  bool replace_latest(const encoded_frame& x);
  /// `latest`: frame `seq`, not yet written, now holds the newest of `key`.
  void remember_latest(const std::string& key, uint64_t seq);
  void restore(const line_origin& origin);
  /// Saves the line's own fields (not its frames) in the store.
  void save() const;
  store::put_line saved_fields() const;
  /// Asks the store for more seqs when the next frame comes near
  /// `seq_limit_`; frames at or past it wait for the answer.
  void reserve();
  void raise_limit(uint64_t limit);
  /// Looks again after `delay` whether the line has been quiet long enough.
  void arm_settle(clock::duration delay);
  /// Marks the line as broken: what it kept is dropped.
  void break_line();
  /// Takes the client's ACK; false if it acknowledges a seq never sent.
  bool acknowledge(uint64_t seq);
  void release_connection(bool close, codec::close_code code,
                          const std::string& message,
                          const std::string& redirect = {});
  /// The record of the line as it is now (to migrate it).
  records::line_record record() const;
  /// A freeze found no request open: the record goes to the session.
  void hand_over();
  /// Handed over: what is pushed here goes to the new line, or waits for
  /// it to be known.
  void pass_on(encoded_frame bytes);
  /// The move ended with no line to pass things on to.
  void drop_held();
  /// How long a moved line passes on what behaviors still send it.
  static constexpr std::chrono::seconds forwarding_time{30};
  outlet::kept_load kept() const {
    return {outbox_.size(), outbox_bytes_.bytes()};
  }
  std::string name_of() const;

  pointer self_ = nullptr;
  std::shared_ptr<const session_context> ctx_;
  line_identity id_;
  lazy_hub hub_;
  outlet out_;
  drain drain_;
  /// Moved: the line of the same number of the session's new actor, where
  /// what behaviors still send here goes.
  line_actor successor_;
  /// Sent here between the hand-over and knowing `successor_`.
  std::vector<encoded_frame> held_;
  std::vector<std::pair<uint64_t, caf::typed_response_promise<uint64_t>>>
      held_credit_;
  /// The attached connection, if any.
  connection_actor connection_;
  uint64_t generation_ = 0;
  clock::time_point detached_since_;
  /// The numbered frames not yet acknowledged, oldest first; their seqs
  /// follow each other without a gap.
  containers::lazy_queue<kept_frame> outbox_;
  /// The next frame to write to the attached socket, the first written to
  /// it, and the bytes of those written to it and not yet acknowledged.
  uint64_t next_write_ = 1;
  uint64_t write_base_ = 1;
  uint64_t in_flight_bytes_ = 0;
  /// The newest seq ever written to a socket (of any connection): a
  /// `latest` never replaces a frame up to it, which a client may have
  /// read. Frames restored from the store or migrated count as written.
  uint64_t written_max_ = 0;
  /// The seq of the last `latest` frame of each room and key, while it may
  /// not be written yet (checked against `written_max_` when used).
  std::unordered_map<std::string, uint64_t> latest_;
  /// Size at which `latest_` is swept of entries already written.
  size_t latest_sweep_at_ = 64;
  /// The line waits for the socket's `drained_atom`.
  bool awaiting_drain_ = false;
  /// The bytes of `outbox_`, counted in the node's budget too.
  kept_share outbox_bytes_;
  /// Kept frames counted against `max_outbox_frames`.
  size_t counted_frames_ = 0;
  uint64_t next_seq_ = 1;
  uint64_t acked_ = 0;
  /// Frames were dropped (the outbox overflowed while detached): a resume
  /// can only get `resume_gap`.
  bool broken_ = false;
  /// Only frames numbered below this reach the socket: the store has
  /// promised that a node restarted after a crash numbers no frame below it.
  /// Without a store, no limit.
  uint64_t seq_limit_ = UINT64_MAX;
  bool reserving_ = false;
  bool settle_armed_ = false;
  /// When the line last numbered a frame: quiet for `store_settle` after
  /// it, it gives its reservation back.
  clock::time_point last_numbered_{};
  /// Unix ms of the detach, for the store (0 while attached).
  uint64_t detached_since_ms_ = 0;
  /// Restored after a crash: the token generation may have run ahead of
  /// what the store knows.
  bool after_crash_ = false;
  /// The session ends: the store keeps nothing more of this line.
  bool ending_ = false;
  /// Answered request ids and the seq of their answers, until acknowledged.
  std::unordered_map<uint64_t, uint64_t> answered_;
  /// SESSION_CLOSE requests of this line, answered once it has closed.
  std::vector<caf::typed_response_promise<bool>> close_waiters_;
  /// A migration waits for the open requests, then gets the record.
  std::optional<caf::typed_response_promise<records::line_record>> freezing_;
  /// The record went to the new node: nothing is numbered here any more.
  bool handed_over_ = false;
};

/// Spawns a line of a session (not yet attached).
line_actor spawn_line(caf::actor_system& sys,
                      std::shared_ptr<const session_context> ctx,
                      line_identity id, line_origin origin = {});

} // namespace tether
