#pragma once

#include <chrono>
#include <map>
#include <string>
#include <unordered_set>
#include <vector>

#include "actors/interfaces.hpp"
#include "config/limits.hpp"

namespace tether {

/// A member of a room: a session.
struct room_member {
  std::string id;
  caf::actor session;
  codec::value info;
};

/// A room type's logic and how often its rooms tick (0: never).
struct room_type {
  room_logic_actor logic;
  std::chrono::milliseconds tick{0};
};

/// What a new room starts with.
struct room_setup {
  std::string id;
  std::string type;
  uint64_t max_members = 0;
  uint64_t ttl_s = 0;
  /// False for a big broadcast room: no room.joined or room.left events,
  /// and a join's reply lists no members (both would cost the square of
  /// the member count as the room fills).
  bool presence = true;
  std::map<std::string, codec::value> props;
  room_member creator;
  config::limits limits;
  session_supervisor_actor sessions;
  /// The rooms service: the room ends with it.
  caf::actor service;
  /// The logic of the room's type, if it has one.
  room_type logic;
};

/// The state of one room actor, the single writer of everything in it.
struct room_state {
  static inline const char* name = "tether.room";

  room_setup setup;
  std::string owner;
  std::map<std::string, codec::value> props;
  /// Members in join order, oldest first.
  std::vector<room_member> members;
  /// Their ids, to check membership without a scan of a big room.
  std::unordered_set<std::string> member_index;
  /// Counts the times the room became empty, to match its TTL timer.
  uint64_t emptiness = 0;
};

/// Spawns a room; its creator (if it has one) is its first member and
/// owner.
room_actor spawn_room(caf::actor_system& sys, room_setup setup);

} // namespace tether
