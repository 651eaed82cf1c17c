#pragma once

#include <memory>
#include <string>
#include <vector>

#include <caf/error.hpp>
#include <caf/expected.hpp>

#include "tether/records/records.hpp"
#include "tether/store/changes.hpp"

namespace tether::store {

/// Everything a store file holds, as records.
struct snapshot {
  /// Whether the node that wrote it last stopped cleanly (flushed and
  /// closed); false after a crash, and then lines may lack their last
  /// frames (see `records::line_record::seq_limit`).
  bool clean = true;
  /// Unix ms of the last commit: when a crashed node was last alive.
  uint64_t last_commit_ms = 0;
  std::vector<records::session_record> sessions;
  std::vector<records::room_record> rooms;
};

/// Where a node keeps its sessions and rooms. Used by one thread at a time
/// (the store writer's); every call is synchronous and may block on disk.
class store {
 public:
  virtual ~store() = default;

  /// Reads every session and room; the file is marked in use (not clean)
  /// from now on.
  virtual caf::expected<snapshot> load() = 0;

  /// Applies `changes` in order in one transaction, all or nothing; the
  /// error says why (disk full, I/O error) and the file is as before.
  virtual caf::error apply(const std::vector<change>& changes) = 0;

  /// Marks the file as closed cleanly: the last call before the node
  /// stops.
  virtual caf::error close_clean() = 0;
};

} // namespace tether::store
