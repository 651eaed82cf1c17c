#pragma once

#include <map>
#include <string>
#include <unordered_map>
#include <vector>

#include "tether/actors/behavior_registry.hpp"
#include "tether/actors/interfaces.hpp"
#include "tether/actors/rooms/room.hpp"
#include "tether/actors/traffic.hpp"
#include "tether/config/limits.hpp"

namespace tether {

/// The room.* op names of the wire contract.
extern const char* const room_ops[13];

/// What the rooms service of a node starts with.
struct room_service_setup {
  config::limits limits;
  session_supervisor_actor sessions;
  std::map<std::string, room_type> types;
  store_link store;
  /// The node's name: the ids of its rooms name it (`r.NODE.RANDOM`).
  std::string node_name;
  /// The node's relay: rooms of other nodes reach their members here
  /// through it.
  room_relay_actor relay;
  /// The node's counts (null: none kept).
  std::shared_ptr<traffic> counts;
};

/// The rooms service's state: its rooms by id, and the room types' logic.
struct room_service_state {
  static inline const char* name = "tether.rooms";

  room_service_setup setup;
  /// Where rooms of other nodes are served.
  peer_table peers;
  std::unordered_map<std::string, room_actor> rooms;
  std::unordered_map<caf::actor_addr, std::string> ids;
  /// Rooms that moved away and still forward what reaches them (for a
  /// while): stopped with the service.
  std::unordered_map<caf::actor_addr, room_actor> leaving;
  /// Rooms that moved from here, or (at the node that made them) from
  /// anywhere, to the node named: ops for them go there.
  std::unordered_map<std::string, std::string> moved;
  /// Who made each room made here that still lives, and how many each
  /// session made: one session's room.create loop must not take the node's
  /// whole --max-rooms.
  std::unordered_map<std::string, std::string> creator_of;
  std::unordered_map<std::string, uint64_t> made_by;

  /// The room `id` is gone from here: its creator may make another.
  void forget(const std::string& id);
};

/// Spawns the rooms service with the rooms of `restored` (from the store).
room_service_actor spawn_room_service(caf::actor_system& sys,
                                      room_service_setup setup,
                                      std::vector<room_restore> restored = {});

/// Binds every room.* op to `service`.
void add_room_behaviors(behavior_registry& registry,
                        const room_service_actor& service);

} // namespace tether
