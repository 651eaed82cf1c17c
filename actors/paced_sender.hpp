#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>

#include "tether/actors/interfaces.hpp"

namespace tether {

/// Sends item `index` to the client and returns roughly how many bytes it
/// was.
using item_emitter = std::function<size_t(uint64_t index)>;

/// Spawns an actor that emits `count` items, each window of them as many
/// as the client grants (`credit_atom`), waiting while its outbox is full. A
/// result of any size thus never piles up in memory. It stops early when the
/// client is gone, or when it is sent an exit.
caf::actor spawn_paced_sender(caf::actor_system& sys, client_actor to,
                              uint64_t count, item_emitter emit);

} // namespace tether
