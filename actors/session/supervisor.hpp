#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "tether/actors/interfaces.hpp"
#include "tether/actors/session/line.hpp"
#include "tether/records/records.hpp"

namespace tether {

/// The state of the session supervisor: the directory of live sessions by
/// id, by key and by actor, and since when each idle one has been idle.
struct session_supervisor_state {
  static inline const char* name = "tether.session_supervisor";

  using clock = std::chrono::steady_clock;

  struct entry {
    std::string id;
    std::string key;
    session_actor actor;
  };

  std::shared_ptr<const session_context> ctx;
  std::unordered_map<std::string, caf::actor_addr> by_id;
  std::unordered_map<std::string, caf::actor_addr> by_key;
  std::unordered_map<caf::actor_addr, entry> sessions;
  std::unordered_map<caf::actor_addr, clock::time_point> idle_since;
  /// Lines of sessions that moved away, still passing things on.
  std::unordered_map<caf::actor_addr, line_actor> forwarding;
  /// Where sessions of other nodes live.
  peer_table peers;
};

/// The sessions a node starts with, from its store.
struct session_restore {
  std::vector<records::session_record> sessions;
  /// Whether the node that saved them stopped cleanly, else since when it
  /// was gone (Unix ms).
  bool clean = true;
  uint64_t lost_at_ms = 0;
};

/// Spawns the session supervisor of a node, with the sessions of
/// `restore` (all idle: their connections are gone).
session_supervisor_actor
spawn_session_supervisor(caf::actor_system& sys,
                         std::shared_ptr<const session_context> ctx,
                         std::shared_ptr<const session_restore> restore = {});

} // namespace tether
