#pragma once

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <iterator>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

namespace tether {

/// A token bucket: `rate` tokens a second, at most `burst` saved up. A
/// request takes one token; without one it is refused with the time until
/// the next, which is what RETRY `rate_limit` tells the client to wait.
class token_bucket {
 public:
  using clock = std::chrono::steady_clock;

  token_bucket(double rate, double burst)
      : rate_(rate), burst_(std::max(1.0, burst)), tokens_(burst_),
        refilled_(clock::now()) {}

  /// 0: taken; else the milliseconds until a token will be there.
  uint64_t take(clock::time_point now = clock::now()) {
    std::chrono::duration<double> passed = now - refilled_;
    tokens_ = std::min(burst_, tokens_ + passed.count() * rate_);
    refilled_ = now;
    if (tokens_ >= 1) {
      tokens_ -= 1;
      return 0;
    }
    return static_cast<uint64_t>(std::ceil((1 - tokens_) / rate_ * 1000));
  }

  /// Whether it has refilled to its burst by `now`: forgetting it then
  /// changes nothing.
  bool full(clock::time_point now) const {
    std::chrono::duration<double> passed = now - refilled_;
    return tokens_ + passed.count() * rate_ >= burst_;
  }

 private:
  double rate_;
  double burst_;
  double tokens_;
  clock::time_point refilled_;
};

/// One bucket per session, shared by the lines (streams) of the session on
/// this node, which run as actors of their own: hence the lock.
class session_rates {
 public:
  session_rates(double rate, double burst) : rate_(rate), burst_(burst) {}

  /// 0 when `session` may make a request now, else the wait in ms.
  uint64_t take(const std::string& session) {
    std::lock_guard<std::mutex> guard{mutex_};
    auto now = token_bucket::clock::now();
    if (buckets_.size() >= sweep_at_)
      sweep(now);
    return buckets_.try_emplace(session, rate_, burst_).first->second.take(now);
  }

 private:
  /// Drops the buckets that refilled: a session that rests costs nothing.
  void sweep(token_bucket::clock::time_point now) {
    for (auto it = buckets_.begin(); it != buckets_.end();)
      it = it->second.full(now) ? buckets_.erase(it) : std::next(it);
    sweep_at_ = std::max<size_t>(1024, buckets_.size() * 2);
  }

  double rate_;
  double burst_;
  std::mutex mutex_;
  std::unordered_map<std::string, token_bucket> buckets_;
  size_t sweep_at_ = 1024;
};

} // namespace tether
