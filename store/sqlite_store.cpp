#include "tether/store/sqlite_store.hpp"

#include <cerrno>
#include <cstring>
#include <utility>

#include <fcntl.h>
#include <unistd.h>

#include <caf/error.hpp>
#include <caf/sec.hpp>

#include "tether/store/database_store.hpp"
#include "tether/store/file_lock.hpp"
#include "tether/store/file_probe.hpp"
#include "tether/store/schema.hpp"
#include "tether/store/sqlite_handles.hpp"

namespace tether::store {

namespace {

constexpr int busy_timeout_ms = 5000;

caf::error refusal(std::string text) {
  return caf::make_error(caf::sec::runtime_error, std::move(text));
}

caf::error not_sqlite(const std::string& path) {
  return refusal(path + " is not a SQLite database; left untouched");
}

caf::error cannot(const std::string& path, const std::string& doing,
                  const status& why) {
  return refusal("cannot open " + path + ": " + doing + ": " + why.message());
}

/// Reads the schema version without writing, and refuses a file this build
/// must not change. Until this passes, closing the connection must leave
/// the file as it was (no checkpoint on close, no WAL switch).
caf::error newer_schema(const std::string& path, int version) {
  return refusal(path + " was written by a newer Tether (schema " +
                 std::to_string(version) + ", this build reads up to " +
                 std::to_string(schema_version) + "); left untouched");
}

caf::expected<int> accepted_version(const std::string& path, database& db) {
  int version = 0;
  if (auto read = read_schema_version(db, version); read.failed()) {
    if (read.code() == SQLITE_NOTADB)
      return not_sqlite(path);
    return cannot(path, "cannot read its schema version", read);
  }
  if (version > schema_version)
    return newer_schema(path, version);
  if (version < 0)
    return refusal(path + " has an unknown schema version " +
                   std::to_string(version) + "; left untouched");
  if (version == 0) {
    // Version 0 with tables is someone else's database, not a new one.
    bool has_schema = false;
    if (auto read = has_any_schema(db, has_schema); read.failed())
      return cannot(path, "cannot read its schema", read);
    if (has_schema)
      return refusal(path + " is a SQLite database but not a Tether store "
                            "(it has tables and no schema version); left "
                            "untouched");
  }
  return version;
}

/// WAL lets readers (a backup) work next to the node; NORMAL sync in WAL
/// mode loses at most the last commits on power loss, never consistency.
status configure(database& db) {
  statement journal_mode;
  if (auto prepared = statement::prepare(db.get(), "PRAGMA journal_mode = WAL",
                                         journal_mode);
      prepared.failed())
    return prepared;
  std::string mode;
  if (auto set = journal_mode.for_each_row(
          [&] { mode = journal_mode.column_text(0); });
      set.failed())
    return set;
  if (mode != "wal")
    return status::failure("cannot switch to WAL mode (journal mode is " +
                           mode + ")");
  return db.exec("PRAGMA synchronous = NORMAL");
}

} // namespace

caf::expected<std::unique_ptr<store>> open_sqlite(const std::string& path) {
  // The lock comes first: two nodes must not both migrate or write.
  auto lock = file_lock::acquire(path, path + "-lock");
  if (!lock)
    return std::move(lock.error());
  auto probe = probe_file(path);
  if (!probe)
    return std::move(probe.error());
  if (probe->kind == file_kind::foreign)
    return not_sqlite(path);
  if (probe->header_version > schema_version)
    return newer_schema(path, probe->header_version);
  // Session keys live in it: readable by the node's user only. SQLite
  // gives its -wal and -shm files the database file's mode.
  if (probe->kind == file_kind::none) {
    int fd = ::open(path.c_str(), O_CREAT | O_WRONLY | O_CLOEXEC, 0600);
    if (fd < 0)
      return refusal("cannot create " + path + ": " + std::strerror(errno));
    ::close(fd);
  }
  database db;
  if (auto opened = database::open(path, db); opened.failed())
    return cannot(path, "SQLite cannot open it", opened);
  db.set_checkpoint_on_close(false);
  sqlite3_busy_timeout(db.get(), busy_timeout_ms);
  auto version = accepted_version(path, db);
  if (!version)
    return std::move(version.error());
  // From here on the file is ours to change.
  db.set_checkpoint_on_close(true);
  if (auto configured = configure(db); configured.failed())
    return cannot(path, "cannot configure it", configured);
  if (auto migrated = migrate(db, *version); migrated.failed())
    return cannot(path,
                  "cannot migrate it from schema " + std::to_string(*version) +
                      " to " + std::to_string(schema_version) +
                      " (its schema is unchanged)",
                  migrated);
  return database_store::make(path, std::move(*lock), std::move(db));
}

} // namespace tether::store
