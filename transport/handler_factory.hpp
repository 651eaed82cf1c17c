#pragma once

#include <cstdint>
#include <functional>
#include <memory>

#include "tether/transport/channel.hpp"

namespace tether::transport {

/// Makes the handler for a freshly upgraded WebSocket (spawns its actor).
/// `number` is the connection's place in the listener's accept order: 1 for
/// the first socket accepted, then 2, 3 ... Every accepted socket takes a
/// number, also one that never becomes a WebSocket (a health check, a 404),
/// so the numbers a factory sees can have gaps; no two are the same for one
/// listener. Runs on the socket's I/O thread.
using handler_factory = std::function<std::shared_ptr<channel_handler>(
    std::shared_ptr<channel>, uint64_t number)>;

} // namespace tether::transport
