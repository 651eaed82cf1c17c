#pragma once

#include <map>
#include <string>
#include <unordered_map>
#include <vector>

#include "tether/actors/behavior_registry.hpp"
#include "tether/actors/interfaces.hpp"
#include "tether/actors/rooms/room.hpp"
#include "tether/config/limits.hpp"

namespace tether {

/// The room.* op names of the wire contract.
extern const char* const room_ops[13];

/// The rooms service's state: its rooms by id, and the room types' logic.
struct room_service_state {
  static inline const char* name = "tether.rooms";

  config::limits limits;
  session_supervisor_actor sessions;
  std::map<std::string, room_type> types;
  store_link store;
  std::unordered_map<std::string, room_actor> rooms;
  std::unordered_map<caf::actor_addr, std::string> ids;
};

/// Spawns the rooms service with the rooms of `restored` (from the store).
room_service_actor spawn_room_service(caf::actor_system& sys,
                                      const config::limits& limits,
                                      session_supervisor_actor sessions,
                                      std::map<std::string, room_type> types,
                                      store_link store = {},
                                      std::vector<room_restore> restored = {});

/// Binds every room.* op to `service`.
void add_room_behaviors(behavior_registry& registry,
                        const room_service_actor& service);

} // namespace tether
