#pragma once

#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <unordered_set>
#include <vector>

#include "tether/actors/interfaces.hpp"
#include "tether/actors/session/line.hpp"

namespace tether {

/// What a new session is.
struct session_identity {
  std::string id;
  std::string key;
  codec::map_value info;
};

/// A session restored from the store, and how its node stopped (see
/// `line_origin`).
struct session_origin {
  std::shared_ptr<const records::session_record> record;
  bool clean = true;
  uint64_t lost_at_ms = 0;
  /// Migrated from another node (see `line_origin::imported`).
  bool imported = false;
};

/// The state of one session actor: its lines and which of them have a
/// connection. The session is idle (its TTL runs) while none has.
struct session_state {
  static inline const char* name = "tether.session";

  session_identity identity;
  std::shared_ptr<const session_context> ctx;
  session_supervisor_actor supervisor;
  /// Lines by number, and which of them have a connection.
  std::map<uint64_t, line_actor> lines;
  std::unordered_set<caf::actor_addr> attached;
  uint64_t next_line = 1;
  /// The rooms it is a member of, told when it turns idle or busy.
  std::map<std::string, room_actor> rooms;
  bool closed = false;
  /// Moving to another node: room traffic waits here for the new owner,
  /// and so do attaches, for their redirect.
  bool moving = false;
  std::vector<encoded_frame> held;
  std::vector<caf::typed_response_promise<attach_result>> held_attaches;
  /// Rooms that have not switched to the new actor yet, and what to do
  /// once none is left.
  std::set<std::string> switching;
  std::function<void()> on_switched;
  /// Arrived from another node: room traffic that comes here directly
  /// waits for what reached the old node first (`handover_atom`).
  bool arriving = false;
  std::vector<encoded_frame> early;
  /// Migrations asked while arriving: they start once it has arrived.
  std::vector<std::function<void()>> next_moves;
};

/// Spawns a session; it tells `supervisor` when it becomes idle or busy.
session_actor spawn_session(caf::actor_system& sys,
                            std::shared_ptr<const session_context> ctx,
                            session_supervisor_actor supervisor,
                            session_identity identity,
                            session_origin origin = {});

} // namespace tether
