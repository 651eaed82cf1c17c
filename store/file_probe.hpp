#pragma once

#include <string>

#include <caf/expected.hpp>

namespace tether::store {

/// What is at a store path before SQLite touches it.
enum class file_kind {
  /// Nothing, or an empty file: a new store.
  none,
  /// Starts with SQLite's 16-byte header.
  sqlite,
  /// Anything else: never opened with SQLite, so never changed.
  foreign,
};

/// Reads the first 16 bytes of `path` (read-only, nothing written).
caf::expected<file_kind> probe_file(const std::string& path);

} // namespace tether::store
