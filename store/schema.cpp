#include "tether/store/schema.hpp"

#include <array>
#include <string>

#include "tether/store/sqlite_store.hpp"
#include "tether/store/transaction.hpp"

namespace tether::store {

namespace {

/// Version 0 (nothing) to 1. Integers are SQLite's int64 holding our
/// uint64 bit for bit; booleans are 0/1; codec values are their encoded
/// MessagePack bytes.
constexpr const char* create_v1_sql = R"sql(
CREATE TABLE meta (
  key TEXT PRIMARY KEY,
  value
) WITHOUT ROWID;
INSERT INTO meta (key, value) VALUES ('clean', 1), ('last_commit_ms', 0);

CREATE TABLE sessions (
  id TEXT PRIMARY KEY,
  key TEXT NOT NULL,
  info BLOB NOT NULL,
  next_line INTEGER NOT NULL,
  idle_since_ms INTEGER NOT NULL
);

CREATE TABLE lines (
  session TEXT NOT NULL,
  number INTEGER NOT NULL,
  generation INTEGER NOT NULL,
  acked INTEGER NOT NULL,
  seq_limit INTEGER NOT NULL,
  broken INTEGER NOT NULL,
  detached_since_ms INTEGER NOT NULL,
  PRIMARY KEY (session, number)
) WITHOUT ROWID;

CREATE TABLE frames (
  session TEXT NOT NULL,
  line INTEGER NOT NULL,
  seq INTEGER NOT NULL,
  counted INTEGER NOT NULL,
  answers INTEGER NOT NULL,
  request_id INTEGER NOT NULL,
  bytes BLOB NOT NULL,
  PRIMARY KEY (session, line, seq)
) WITHOUT ROWID;

CREATE TABLE rooms (
  id TEXT PRIMARY KEY,
  type TEXT NOT NULL,
  owner TEXT NOT NULL,
  max_members INTEGER NOT NULL,
  ttl_s INTEGER NOT NULL,
  presence INTEGER NOT NULL,
  empty_since_ms INTEGER NOT NULL
);

CREATE TABLE room_members (
  room TEXT NOT NULL,
  member TEXT NOT NULL,
  info BLOB NOT NULL,
  position INTEGER NOT NULL,
  PRIMARY KEY (room, member)
) WITHOUT ROWID;
CREATE INDEX room_members_by_position ON room_members (room, position);

CREATE TABLE room_props (
  room TEXT NOT NULL,
  key TEXT NOT NULL,
  value BLOB NOT NULL,
  PRIMARY KEY (room, key)
) WITHOUT ROWID;
)sql";

status create_v1(database& db) {
  return db.exec(create_v1_sql);
}

/// A step may rewrite data too, hence functions rather than SQL text.
using migration_step = status (*)(database&);

/// Step k takes the file from version k to k + 1. A new version appends
/// its step here (and raises `schema_version`); steps never change.
constexpr std::array<migration_step, schema_version> migration_steps = {
    create_v1,
};

constexpr bool every_step_given() {
  for (auto step : migration_steps)
    if (step == nullptr)
      return false;
  return true;
}
static_assert(every_step_given(),
              "raising schema_version needs a step to the new version");

} // namespace

status read_schema_version(database& db, int& version) {
  statement query;
  if (auto prepared =
          statement::prepare(db.get(), "PRAGMA user_version", query);
      prepared.failed())
    return prepared;
  return query.for_each_row(
      [&] { version = static_cast<int>(query.column_uint(0)); });
}

status has_any_schema(database& db, bool& found) {
  statement query;
  if (auto prepared = statement::prepare(
          db.get(), "SELECT count(*) FROM sqlite_master", query);
      prepared.failed())
    return prepared;
  return query.for_each_row([&] { found = query.column_uint(0) > 0; });
}

status migrate(database& db, int from) {
  if (from < 0)
    return status::failure("unknown schema version " + std::to_string(from));
  if (from >= schema_version)
    return status::ok();
  transaction_runner transaction;
  if (auto prepared = transaction_runner::prepare(db.get(), transaction);
      prepared.failed())
    return prepared;
  return transaction.run([&] {
    for (auto version = from; version < schema_version; ++version)
      if (auto stepped = migration_steps[version](db); stepped.failed())
        return stepped;
    // user_version lives in the file header and commits with the steps.
    auto set_version =
        "PRAGMA user_version = " + std::to_string(schema_version);
    return db.exec(set_version.c_str());
  });
}

} // namespace tether::store
