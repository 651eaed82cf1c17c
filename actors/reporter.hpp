#pragma once

#include <chrono>
#include <memory>

#include "tether/actors/interfaces.hpp"
#include "tether/actors/node_figures.hpp"
#include "tether/actors/traffic.hpp"

namespace tether {

/// Whom the reporter asks for its figures.
struct report_sources {
  figure_sources owners;
  std::shared_ptr<const traffic> counts;
};

/// Spawns the actor that logs, every `every`, one line an operator can
/// read at a glance: connections, sessions, rooms, messages per second in
/// and out, the store's health.
reporter_actor spawn_reporter(caf::actor_system& sys, report_sources sources,
                              std::chrono::seconds every);

} // namespace tether
