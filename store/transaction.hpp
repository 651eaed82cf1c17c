#pragma once

#include <utility>

#include "tether/store/sqlite_handles.hpp"

namespace tether::store {

/// BEGIN IMMEDIATE, COMMIT and ROLLBACK, prepared once: runs a body all or
/// nothing.
class transaction_runner {
 public:
  static status prepare(sqlite3* db, transaction_runner& out);

  /// Runs `body()` (returning a status) in one write transaction; on any
  /// failure rolls back and returns the first failure.
  template <class Body> status run(Body&& body) {
    if (auto began = begin_.execute(); began.failed())
      return began;
    auto result = std::forward<Body>(body)();
    if (!result.failed())
      result = commit_.execute();
    if (result.failed())
      roll_back();
    return result;
  }

 private:
  void roll_back();

  sqlite3* db_ = nullptr;
  statement begin_;
  statement commit_;
  statement rollback_;
};

} // namespace tether::store
