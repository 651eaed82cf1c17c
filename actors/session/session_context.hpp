#pragma once

#include <memory>
#include <string>

#include "actors/behavior_registry.hpp"
#include "actors/bridge.hpp"
#include "config/limits.hpp"
#include "security/stream_token.hpp"

namespace tether {

/// What the supervisor, the sessions and their lines of a node share,
/// read-only.
struct session_context {
  std::string node_name;
  config::limits limits;
  std::shared_ptr<const behavior_registry> behaviors;
  std::shared_ptr<const security::stream_token_signer> signer;
  /// Where a line finds the socket of the connection it attaches.
  std::shared_ptr<bridge_table> bridges;
};

} // namespace tether
