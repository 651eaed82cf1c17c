#pragma once

#include "tether/store/sqlite_handles.hpp"
#include "tether/store/store.hpp"

namespace tether::store {

/// Reads every table into records, with statements prepared once. Runs
/// inside the caller's transaction, so it sees one state of the file.
class snapshot_reader {
 public:
  static status prepare(sqlite3* db, snapshot_reader& out);

  /// Fills `out.sessions` and `out.rooms`.
  status read(snapshot& out);

 private:
  status read_sessions(snapshot& out);
  status read_rooms(snapshot& out);

  statement sessions_;
  statement lines_;
  statement frames_;
  statement rooms_;
  statement members_;
  statement props_;
};

} // namespace tether::store
