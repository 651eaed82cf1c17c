#pragma once

#include "tether/actors/behavior_registry.hpp"
#include "tether/actors/interfaces.hpp"
#include "tether/actors/node_figures.hpp"
#include "tether/config/limits.hpp"

namespace tether {

/// Binds the built-in ops `sys.echo`, `sys.info`, `sys.stream`, `sys.sink`
/// and `sys.push`, through the same API as the user's own behaviors.
/// `sys.info` asks `figures` for what it reports.
void add_sys_behaviors(caf::actor_system& sys, behavior_registry& registry,
                       const figure_sources& figures,
                       const config::limits& limits);

} // namespace tether
