#pragma once

#include <chrono>
#include <string>
#include <unordered_map>
#include <vector>

#include "tether/actors/interfaces.hpp"

namespace tether {

/// The node actor's state: the live connections and the pending drain.
struct node_state {
  static inline const char* name = "tether.node";

  std::string node_name;
  std::chrono::steady_clock::time_point started;
  std::unordered_map<caf::actor_addr, connection_actor> connections;
  bool draining = false;
  /// Where the drain sends clients without a session (empty: nowhere).
  std::string redirect;
  std::vector<caf::typed_response_promise<bool>> drain_waiters;
};

/// Spawns the node actor.
node_actor spawn_node(caf::actor_system& sys, std::string node_name);

} // namespace tether
