#include "tether/clients/cpp/backoff.hpp"

#include <algorithm>

namespace tether::client {

backoff::backoff(std::chrono::milliseconds min, std::chrono::milliseconds max,
                 uint64_t seed)
    : min_(std::max(min, std::chrono::milliseconds{0})),
      max_(std::max(max, min_)), rng_(seed) {}

std::chrono::milliseconds backoff::ceiling(unsigned n) const {
  // min * 2^n, without overflowing: stop doubling once at the cap.
  auto top = std::max(min_, std::chrono::milliseconds{1});
  for (unsigned i = 0; i < n && top < max_; ++i)
    top *= 2;
  return std::min(top, max_);
}

std::chrono::milliseconds backoff::next() {
  auto top = ceiling(attempt_);
  if (attempt_ < 64)
    ++attempt_;
  std::uniform_int_distribution<int64_t> pick{min_.count(),
                                              std::max(top, min_).count()};
  return std::chrono::milliseconds{pick(rng_)};
}

} // namespace tether::client
