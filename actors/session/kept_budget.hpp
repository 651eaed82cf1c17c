#pragma once

#include <atomic>
#include <cstdint>
#include <memory>

namespace tether {

/// The bytes every stream of a node keeps unacknowledged, together: each
/// stream is bounded by `max_outbox_bytes`, but a thousand slow ones would
/// hold a thousand times that. Shared by the lines of a node, which run on
/// any thread: a relaxed count, exact once they are all done.
class kept_budget {
 public:
  /// `limit` 0: no node-wide limit, only the count.
  explicit kept_budget(uint64_t limit) : limit_(limit) {}

  uint64_t bytes() const { return total_.load(std::memory_order_relaxed); }

  uint64_t limit() const { return limit_; }

  /// Whether `more` bytes would take the node past its limit.
  bool over(uint64_t more) const {
    return limit_ != 0 && bytes() + more > limit_;
  }

  void add(uint64_t n) { total_.fetch_add(n, std::memory_order_relaxed); }

  void sub(uint64_t n) { total_.fetch_sub(n, std::memory_order_relaxed); }

 private:
  uint64_t limit_;
  std::atomic<uint64_t> total_{0};
};

/// One line's kept bytes, counted in the node's budget as they change:
/// what the line frees the node gets back, and a line that ends gives back
/// all it held.
class kept_share {
 public:
  explicit kept_share(std::shared_ptr<kept_budget> budget = nullptr)
      : budget_(std::move(budget)) {}

  kept_share(const kept_share&) = delete;
  kept_share& operator=(const kept_share&) = delete;

  ~kept_share() { set(0); }

  uint64_t bytes() const { return bytes_; }

  /// Counts this share in `budget` from now on (the old one gets back
  /// what it held).
  void count_in(std::shared_ptr<kept_budget> budget) {
    auto n = bytes_;
    set(0);
    budget_ = std::move(budget);
    set(n);
  }

  /// Whether the node as a whole is past its limit with `more` bytes.
  bool node_over(uint64_t more) const { return budget_ && budget_->over(more); }

  void set(uint64_t n) {
    if (budget_) {
      if (n > bytes_)
        budget_->add(n - bytes_);
      else
        budget_->sub(bytes_ - n);
    }
    bytes_ = n;
  }

  kept_share& operator+=(uint64_t n) {
    set(bytes_ + n);
    return *this;
  }

  kept_share& operator-=(uint64_t n) {
    set(bytes_ - n);
    return *this;
  }

 private:
  std::shared_ptr<kept_budget> budget_;
  uint64_t bytes_ = 0;
};

} // namespace tether
