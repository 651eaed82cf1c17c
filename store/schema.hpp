#pragma once

#include "tether/store/sqlite_handles.hpp"

namespace tether::store {

/// The schema version in the file (`PRAGMA user_version`); 0 for a new file.
/// Reading it is the first read of the file: SQLITE_NOTADB shows here.
status read_schema_version(database& db, int& version);

/// Whether the file holds any table, index or view at all.
status has_any_schema(database& db, bool& found);

/// Runs the migration steps from `from` up to `schema_version` in one
/// transaction: all of them or none. A new file (version 0) goes through
/// the same steps.
status migrate(database& db, int from);

} // namespace tether::store
