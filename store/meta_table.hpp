#pragma once

#include <cstdint>

#include "tether/store/sqlite_handles.hpp"

namespace tether::store {

/// The `meta` rows: whether the file was closed cleanly, and when it was
/// last written.
class meta_table {
 public:
  static status prepare(sqlite3* db, meta_table& out);

  /// Missing rows read as a clean file never written (clean, 0).
  status read(bool& clean, uint64_t& last_commit_ms);

  /// Part of every transaction: the time, and whether the file is closed
  /// (false, "in use", for every commit but the last).
  status mark(bool clean, uint64_t now_ms);

 private:
  statement read_;
  statement mark_;
};

/// Unix milliseconds now.
uint64_t unix_now_ms();

} // namespace tether::store
