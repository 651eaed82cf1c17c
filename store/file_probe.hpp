#pragma once

#include <cstdint>
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

/// What the first bytes of a store file say.
struct file_probe {
  file_kind kind = file_kind::none;
  /// The schema version in the header (`PRAGMA user_version`, bytes 60 to
  /// 63, big-endian) as of the last checkpoint; 0 when shorter.
  int header_version = 0;
};

/// Reads the first 100 bytes of `path` (read-only, nothing written): a
/// newer schema is refused before SQLite opens the file, which in WAL mode
/// would create files beside it.
caf::expected<file_probe> probe_file(const std::string& path);

} // namespace tether::store
