#pragma once

#include <chrono>
#include <cstdint>
#include <random>

namespace tether::client {

/// Exponential backoff with full jitter, for reconnecting: the n-th wait
/// (n = 0, 1, 2, ...) is drawn uniformly from [min, min(max, min * 2^n)].
/// So the first waits are short, later ones spread over the whole window
/// and many clients that lost one node do not come back in step.
/// Not thread-safe: one owner uses it.
class backoff {
 public:
  backoff(std::chrono::milliseconds min, std::chrono::milliseconds max,
          uint64_t seed = std::random_device{}());

  /// The next wait; counts an attempt.
  std::chrono::milliseconds next();

  /// Back to the first attempt (after a connection that worked).
  void reset() noexcept { attempt_ = 0; }

  /// Attempts counted since the last reset.
  unsigned attempt() const noexcept { return attempt_; }

  /// The upper end of the window of attempt `n`.
  std::chrono::milliseconds ceiling(unsigned n) const;

 private:
  std::chrono::milliseconds min_;
  std::chrono::milliseconds max_;
  unsigned attempt_ = 0;
  std::mt19937_64 rng_;
};

} // namespace tether::client
