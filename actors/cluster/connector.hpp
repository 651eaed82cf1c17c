#pragma once

#include <chrono>

#include <caf/actor_system.hpp>
#include <caf/io/middleman_actor.hpp>

#include "tether/actors/interfaces.hpp"

namespace tether {

/// Spawns the connector of `cluster` on a thread of its own: it asks
/// `middleman` (plain or TLS) for one address at a time and gives up on
/// one after `timeout`.
connector_actor spawn_connector(caf::actor_system& sys, cluster_actor cluster,
                                caf::io::middleman_actor middleman,
                                std::chrono::milliseconds timeout);

} // namespace tether
