#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <string>
#include <unordered_set>
#include <vector>

#include "tether/actors/interfaces.hpp"
#include "tether/actors/store/store_link.hpp"
#include "tether/config/limits.hpp"
#include "tether/records/records.hpp"

namespace tether {

/// A member of a room: a session.
struct room_member {
  std::string id;
  session_actor session;
  codec::value info;
  /// For a session of another node: that node's relay, through which the
  /// room's frames reach it. Invalid for a session of this node.
  room_relay_actor relay;
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
  /// Where the room saves what it changes.
  store_link store;
  /// The node's relay: how members of this node are reached once the room
  /// moved to another.
  room_relay_actor relay;
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
  /// Unix ms since when the room is empty (0 while it has members).
  uint64_t empty_since_ms = 0;
  /// The join-order position the next member gets.
  uint64_t next_position = 1;
  /// The relays of the nodes with members, each with how many: a frame
  /// for everyone crosses to each of those nodes once.
  std::vector<std::pair<room_relay_actor, size_t>> relays;
  /// Moving to another node: what reaches the room waits, to be sent to the
  /// new actor (or back to this one if the move fails).
  bool moving = false;
  std::vector<std::function<void(const room_actor&)>> held;
  /// Moved: what still reaches this actor goes there.
  room_actor moved_to;
};

/// A room brought back from the store or migrated here.
using room_restore = room_handover;

/// Spawns a room; its creator (if it has one) is its first member and
/// owner.
room_actor spawn_room(caf::actor_system& sys, room_setup setup);

/// Spawns a room from its record; `setup` gives what the node supplies
/// (limits, services, logic, store).
room_actor restore_room(caf::actor_system& sys, room_setup setup,
                        room_restore restored);

} // namespace tether
