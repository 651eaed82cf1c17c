#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "tether/actors/behavior_registry.hpp"
#include "tether/actors/bridge.hpp"
#include "tether/actors/rate_limit.hpp"
#include "tether/actors/session/kept_budget.hpp"
#include "tether/actors/store/store_link.hpp"
#include "tether/config/limits.hpp"
#include "tether/security/stream_token.hpp"

namespace tether {

/// What the supervisor, the sessions and their lines of a node share,
/// read-only.
struct session_context {
  std::string node_name;
  /// The node's client URL, as other nodes name it in redirects.
  std::string url;
  config::limits limits;
  std::shared_ptr<const behavior_registry> behaviors;
  std::shared_ptr<const security::stream_token_signer> signer;
  /// Where a line finds the socket of the connection it attaches.
  std::shared_ptr<bridge_table> bridges;
  /// Where sessions and their lines save what they change.
  store_link store;
  /// A line that sent nothing for this long gives back the seqs it had
  /// reserved in the store, so that a crash after it costs no resume_gap.
  std::chrono::milliseconds store_settle{500};
  /// Seqs a line reserves at a time (see `records::line_record`).
  uint64_t seq_block = 1024;
  /// Each session's request rate, shared by its lines; null: no limit.
  std::shared_ptr<session_rates> rates;
  /// The bytes all lines keep unacknowledged, and the node's limit on
  /// them (null: neither).
  std::shared_ptr<kept_budget> kept;
  /// The node's counts (null: none kept).
  std::shared_ptr<traffic> counts;
};

} // namespace tether
