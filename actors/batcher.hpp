#pragma once

#include <memory>
#include <string>

#include "actors/interfaces.hpp"
#include "config/limits.hpp"
#include "transport/channel.hpp"

namespace tether {

/// Spawns the batcher of one attached stream: it merges the stream's frames
/// into WebSocket messages on `channel`. Urgent frames (answers) go out as
/// soon as the mailbox is empty; pushes wait up to `batch_window_ms` for
/// company; no message grows past `batch_max_bytes` (unless one frame is).
batcher_actor spawn_batcher(caf::actor_system& sys,
                            std::shared_ptr<transport::channel> channel,
                            const config::limits& limits);

} // namespace tether
