#pragma once

#include <atomic>
#include <cstdint>

namespace tether {

/// The node's WebSocket messages in and out, counted by the bridges (one
/// relaxed increment per message) for the log's summary and metrics.
struct traffic {
  std::atomic<uint64_t> messages_in{0};
  std::atomic<uint64_t> messages_out{0};
};

} // namespace tether
