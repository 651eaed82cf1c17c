#pragma once

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
class batch {
 public:
  void add(change c);

  /// The changes to apply, in order; the batch is empty afterwards.
  std::vector<change> take();

  /// Puts back `older` (a failed commit's changes) before what waits now.
  void put_back(std::vector<change> older);

  size_t size() const noexcept { return live_; }
  bool empty() const noexcept { return live_ == 0; }

 private:
  using line_key = std::pair<std::string, uint64_t>;

  std::vector<change> changes_;
  /// Which entries of `changes_` were cancelled.
  std::vector<bool> dead_;
  /// Where each line's pending keep_frame entries are, oldest first.
  std::map<line_key, std::vector<size_t>> kept_at_;
  size_t live_ = 0;
};

/// Unix time in milliseconds: what records and the store count in.
uint64_t unix_ms();

} // namespace tether::store
