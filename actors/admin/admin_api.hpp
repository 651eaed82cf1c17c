#pragma once

#include <functional>
#include <string>

#include <caf/actor_system.hpp>

#include "tether/actors/interfaces.hpp"
#include "tether/actors/node_figures.hpp"

namespace tether {

/// What the admin API works with.
struct admin_setup {
  /// The bearer token; empty: every `/api/` path answers 404.
  std::string token;
  figure_sources figures;
  session_supervisor_actor sessions;
  room_service_actor rooms;
  /// Starts the node's drain, as SIGTERM does.
  std::function<void()> drain;
};

/// Spawns the admin API of a node.
admin_actor spawn_admin_api(caf::actor_system& sys, admin_setup setup);

/// Hands each HTTP request of the transport to `admin` and its answer back
/// to the socket: the API's crossing from Asio to CAF.
transport::http_api admin_bridge(caf::actor_system& sys, admin_actor admin);

} // namespace tether
