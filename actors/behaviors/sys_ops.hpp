#pragma once

#include "tether/actors/behavior_registry.hpp"
#include "tether/actors/interfaces.hpp"
#include "tether/config/limits.hpp"

namespace tether {

/// Binds the built-in ops `sys.echo`, `sys.info`, `sys.stream`, `sys.sink`
/// and `sys.push`, through the same API as the user's own behaviors.
void add_sys_behaviors(caf::actor_system& sys, behavior_registry& registry,
                       node_actor node, session_supervisor_actor sessions,
                       room_service_actor rooms, const config::limits& limits,
                       store_actor store = {});

} // namespace tether
