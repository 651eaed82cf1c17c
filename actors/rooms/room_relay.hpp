#pragma once

#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include <caf/actor_system.hpp>

#include "tether/actors/interfaces.hpp"

namespace tether {

/// The relay's state: for each room owned by another node, its members on
/// this node and the node it lives on.
struct room_relay_state {
  static inline const char* name = "tether.room_relay";

  struct room {
    caf::node_id node;
    std::vector<std::pair<std::string, session_actor>> members;
  };

  std::unordered_map<std::string, room> rooms;
};

/// Spawns the relay of a node.
room_relay_actor spawn_room_relay(caf::actor_system& sys);

} // namespace tether
