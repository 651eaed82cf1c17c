#pragma once

#include <functional>
#include <string>

#include <caf/actor_system.hpp>

#include "tether/actors/interfaces.hpp"
#include "tether/actors/node_figures.hpp"
#include "tether/actors/session/kept_budget.hpp"
#include "tether/actors/traffic.hpp"
#include "tether/transport/admission.hpp"

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
  /// What `/metrics` shows besides the figures (null: zeros).
  std::shared_ptr<const traffic> counts;
  std::shared_ptr<const transport::admission> admits;
  /// The bytes the node's streams keep (null: zero).
  std::shared_ptr<const kept_budget> kept;
};

/// Spawns the admin API of a node: `/api/v1/...` (with the token),
/// `/metrics` (open to all) and `/debug` (only where a token is set).
admin_actor spawn_admin_api(caf::actor_system& sys, admin_setup setup);

/// Hands each HTTP request of the transport to `admin` and its answer back
/// to the socket: the API's crossing from Asio to CAF.
transport::http_api admin_bridge(caf::actor_system& sys, admin_actor admin);

} // namespace tether
