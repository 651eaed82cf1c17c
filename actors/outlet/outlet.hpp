#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <caf/scheduled_actor.hpp>
#include <caf/typed_response_promise.hpp>

#include "tether/actors/bridge.hpp"
#include "tether/codec/encode.hpp"
#include "tether/config/limits.hpp"

namespace tether {

/// The write side of one client: every frame the node sends a client goes
/// out through an outlet. A sessionless connection owns one for its frames,
/// a session's line one for its numbered frames; long polling and lines
/// forwarded from other nodes write through one too. It keeps the rules of
/// the write side in one place:
/// - **batching**: frames written while the owner is busy share one
///   WebSocket message, written when the owner's mailbox is empty (behind a
///   `flush_atom` otherwise) or at `batch_max_bytes`; a lone encoded frame
///   is written as it is, without a copy;
/// - **credit**: paced senders ask before each window of output and are
///   granted frames out of one budget, a quarter of the outbox limits, so
///   that many senders at once cannot overflow a client that reads;
/// - **stalls**: credit that waits three heartbeat intervals without
///   progress (no ACK, no drain) marks a client that reads nothing or
///   acknowledges nothing: the owner closes it with CLOSE 7;
/// - **closing**: CLOSE is the socket's last message; nothing follows it.
/// Its owner is an actor of type `outlet_actor`, on whose thread it runs.
class outlet {
 public:
  /// What the owner keeps unacknowledged (a line's outbox; none for a
  /// connection): it counts against the credit budget.
  struct kept_load {
    uint64_t frames = 0;
    uint64_t bytes = 0;
  };

  outlet() = default;

  outlet(const outlet&) = delete;
  outlet& operator=(const outlet&) = delete;

  /// Binds the outlet to its owner, before any other call.
  void init(caf::scheduled_actor* self,
            std::shared_ptr<const config::limits> limits);

  // -- the socket -------------------------------------------------------------

  /// Writes to `b` from now on. `notify` asks the socket for `drained_atom`
  /// while credit waits (only the connection receives those).
  void attach(std::shared_ptr<bridge> b, bool notify);

  /// Writes what waits, then lets go of the socket.
  void detach();

  bool attached() const { return bridge_ != nullptr; }
  bool closed() const { return closed_; }

  // -- writing ----------------------------------------------------------------

  /// One encoded frame, shared with whoever else keeps it.
  void write(transport::shared_bytes frame);

  /// One frame, encoded straight into the batch.
  template <class Frame> void write_frame(const Frame& x) {
    if (closed_ || !bridge_)
      return;
    spill_single();
    codec::encode_one(x, batch_);
    wrote_frame();
  }

  /// Ends a handler of the owner: writes the batch unless more messages
  /// wait, whose output then joins it (a `flush_atom` behind them makes sure
  /// it is written).
  void end_of_handler();

  /// The owner got its `flush_atom`: writes what waits, however busy.
  void on_flush();

  /// Writes what waits as one WebSocket message.
  void flush();

  /// Writes CLOSE `code` after what waits and closes the socket; the outlet
  /// writes nothing more, and credit is refused from now on.
  void close(codec::close_code code, const std::string& message,
             const std::string& redirect = {});

  /// Bytes written but not yet out of the socket, and batched ones.
  uint64_t backlog() const;

  /// Whether the backlog is over `max_outbox_bytes`: a client that does not
  /// read.
  bool overflowing() const { return backlog() > limits_->max_outbox_bytes; }

  /// The backlog below which the socket counts as drained: a quarter of
  /// `max_outbox_bytes`, the socket's share of a client's outbox.
  uint64_t low_water() const { return limits_->max_outbox_bytes / 4; }

  /// Asks the socket for one `drained_atom` (at the connection) once its
  /// backlog is below `low_water()`.
  void notify_when_drained() {
    if (bridge_)
      bridge_->notify_when_below(low_water());
  }

  // -- credit -----------------------------------------------------------------

  /// A paced sender with `wanted` frames left asks how many it may send
  /// now: at once if they fit the budget, else once they do; 0 tells it to
  /// stop.
  caf::result<uint64_t> credit(uint64_t wanted, kept_load kept);

  /// Something was acknowledged or drained: grants what fits now, and the
  /// stall clock starts again.
  void settle(kept_load kept);

  /// Every waiting sender gets 0: the client is gone.
  void refuse_credit();

  /// The owner got `stall_atom` with `epoch`: true if credit waited three
  /// heartbeat intervals with no progress at all.
  bool on_stall(uint64_t epoch);

 private:
  /// Moves a held lone frame into the batch, before more joins it.
  void spill_single();
  void wrote_frame();
  /// What may be granted now, reserved for the sender (0: nothing fits).
  uint64_t grant(uint64_t wanted, kept_load kept);
  void arm_stall_timer();

  caf::scheduled_actor* self_ = nullptr;
  std::shared_ptr<const config::limits> limits_;
  std::shared_ptr<bridge> bridge_;
  bool notify_ = false;
  /// A lone frame held without a copy, or the batch (never both).
  transport::shared_bytes single_;
  std::string batch_;
  /// Frames in `single_` or `batch_`.
  uint64_t pending_frames_ = 0;
  bool flush_scheduled_ = false;
  bool closed_ = false;
  /// Frames granted to senders and not yet written.
  uint64_t reserved_ = 0;
  /// Senders waiting for credit, with the frames they want.
  std::vector<std::pair<caf::typed_response_promise<uint64_t>, uint64_t>>
      waiters_;
  /// Counts progress; a stall timer remembers the value it was armed at.
  uint64_t epoch_ = 0;
  bool stall_timer_ = false;
};

} // namespace tether
