#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>

namespace tether::transport {

/// A channel's `retired_bytes`: only the socket's own thread adds to it,
/// any thread reads it.
class retired_count {
 public:
  /// On the socket's thread: `bytes` more are done with.
  void add(size_t bytes) noexcept {
    // One writer, so a load and a store lose no update; readers want a
    // recent value, not an ordering.
    bytes_.store(bytes_.load(std::memory_order_relaxed) + bytes,
                 std::memory_order_relaxed);
  }

  uint64_t get() const noexcept {
    return bytes_.load(std::memory_order_relaxed);
  }

 private:
  std::atomic<uint64_t> bytes_{0};
};

} // namespace tether::transport
