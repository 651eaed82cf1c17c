#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "tether/store/changes.hpp"

namespace tether::store {

/// The changes waiting for the next commit, in order. A frame acknowledged
/// before its commit is never written: its keep_frame is dropped when the
/// ack_frames comes (the ack itself stays, it also moves `acked`).
///
/// Frames may wait longer than the rest (`take` with a `hold`): a crashed
/// node trusts a line's frames only once that line's own row says it has
/// settled, so a frame needs to be on disk no later than the next change
/// to its line's row (or the line's end), and most are acknowledged, and
/// never written, before that.
class batch {
 public:
  using clock = std::chrono::steady_clock;

  void add(change c, clock::time_point now = clock::now());

  /// The changes to apply, in order; the batch is empty afterwards.
  std::vector<change> take() { return take(clock::now(), {}); }

  /// As `take()`, but keeps back frames younger than `hold` whose line has
  /// no other change waiting.
  std::vector<change> take(clock::time_point now, clock::duration hold);

  /// Puts back `older` (a failed commit's changes) before what waits now;
  /// none of them is held back again, so the next commit that succeeds has
  /// written all of them.
  void put_back(std::vector<change> older);

  size_t size() const noexcept { return live_; }
  bool empty() const noexcept { return live_ == 0; }

 private:
  using line_key = std::pair<std::string, uint64_t>;

  std::vector<change> changes_;
  /// When each entry was added.
  std::vector<clock::time_point> added_;
  /// Which entries of `changes_` were cancelled.
  std::vector<bool> dead_;
  /// Where each line's pending keep_frame entries are, in seq order.
  std::map<line_key, std::vector<size_t>> kept_at_;
  size_t live_ = 0;
};

/// Unix time in milliseconds: what records and the store count in.
uint64_t unix_ms();

} // namespace tether::store
