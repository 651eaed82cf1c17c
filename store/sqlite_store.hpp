#pragma once

#include <memory>
#include <string>

#include <caf/expected.hpp>

#include "tether/store/store.hpp"

namespace tether::store {

/// The schema version this build writes (and the newest it reads).
constexpr int schema_version = 1;

/// Opens (or creates) the SQLite store at `path`, in WAL mode, migrating an
/// older schema. Refuses, leaving the file untouched, a file that is not
/// SQLite, one with a newer schema, and one another process holds (a lock
/// file `path + "-lock"` held with flock). The error's text says which.
caf::expected<std::unique_ptr<store>> open_sqlite(const std::string& path);

} // namespace tether::store
