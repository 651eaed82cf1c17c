#pragma once

#include <caf/actor_system_config.hpp>

namespace tether {

/// Announces to CAF every type that travels between the nodes of a
/// cluster, under the same name on every node: CAF's middleman refuses to
/// serialize a type it does not know.
void add_wire_types(caf::actor_system_config& cfg);

} // namespace tether
