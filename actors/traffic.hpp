#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>

namespace tether {

/// A count bumped on the hot path from many threads and read rarely (a
/// scrape, the log's summary): each thread adds to a cache line of its own
/// among a few, so cores never fight over one; a read sums them.
class striped_counter {
 public:
  static constexpr size_t stripes = 8;

  void add(uint64_t n = 1) noexcept {
    cells_[stripe()].n.fetch_add(n, std::memory_order_relaxed);
  }

  uint64_t value() const noexcept {
    uint64_t sum = 0;
    for (const auto& c : cells_)
      sum += c.n.load(std::memory_order_relaxed);
    return sum;
  }

  /// The calling thread's stripe, fixed at its first use.
  static size_t stripe() noexcept {
    static std::atomic<size_t> next{0};
    thread_local size_t mine =
        next.fetch_add(1, std::memory_order_relaxed) % stripes;
    return mine;
  }

 private:
  struct alignas(64) cell {
    std::atomic<uint64_t> n{0};
  };
  std::array<cell, stripes> cells_;
};

/// How long requests took, in Prometheus' buckets (upper bounds in
/// seconds), striped like `striped_counter`.
class duration_histogram {
 public:
  static constexpr std::array<double, 12> bounds = {
      0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5};

  void observe(std::chrono::nanoseconds d) noexcept {
    auto ns = static_cast<uint64_t>(d.count() > 0 ? d.count() : 0);
    size_t i = 0;
    while (i < bounds.size() && static_cast<double>(ns) > bounds[i] * 1e9)
      ++i;
    auto& s = stripes_[striped_counter::stripe()];
    s.buckets[i].fetch_add(1, std::memory_order_relaxed);
    s.sum_ns.fetch_add(ns, std::memory_order_relaxed);
  }

  /// A reading: per bucket (not cumulative; the last is +Inf), and the sum.
  struct reading {
    std::array<uint64_t, bounds.size() + 1> buckets{};
    uint64_t sum_ns = 0;
  };

  reading read() const noexcept {
    reading r;
    for (const auto& s : stripes_) {
      for (size_t i = 0; i < r.buckets.size(); ++i)
        r.buckets[i] += s.buckets[i].load(std::memory_order_relaxed);
      r.sum_ns += s.sum_ns.load(std::memory_order_relaxed);
    }
    return r;
  }

 private:
  struct alignas(64) stripe {
    std::array<std::atomic<uint64_t>, bounds.size() + 1> buckets{};
    std::atomic<uint64_t> sum_ns{0};
  };
  std::array<stripe, striped_counter::stripes> stripes_;
};

/// What the node's actors count as they work, for `/metrics` and the log's
/// summary. One per node, shared by its connections and sessions; every
/// count is a relaxed increment of the thread's own stripe.
struct traffic {
  /// WebSocket messages in and out (the bridges count them).
  striped_counter messages_in;
  striped_counter messages_out;
  /// Frames in those messages.
  striped_counter frames_in;
  striped_counter frames_out;
  /// Client requests by how they were answered.
  striped_counter replies;
  striped_counter errors;
  striped_counter retries;
  /// From a request to its answer.
  duration_histogram request_duration;
  /// CLOSE frames the node sent, by code (the contract's 0 to 9).
  std::array<striped_counter, 10> closes;
  /// SESSION_RESUMEs by outcome.
  striped_counter resumed;
  striped_counter resume_gaps;
  striped_counter resumes_not_found;
  /// Sessions and rooms that moved to another node, and moves that failed.
  striped_counter sessions_moved;
  striped_counter session_moves_failed;
  striped_counter rooms_moved;
  striped_counter room_moves_failed;
  /// Requests refused with RETRY: over a rate, over the open streams, over
  /// the requests in flight.
  striped_counter rate_limited;
  striped_counter stream_limited;
  striped_counter inflight_limited;
};

} // namespace tether
