#include "tether/store/database_store.hpp"

#include <utility>

#include <caf/error.hpp>
#include <caf/sec.hpp>

namespace tether::store {

database_store::database_store(std::string path, file_lock lock, database db)
    : path_(std::move(path)), lock_(std::move(lock)), db_(std::move(db)) {}

caf::expected<std::unique_ptr<store>>
database_store::make(std::string path, file_lock lock, database db) {
  std::unique_ptr<database_store> result{
      new database_store(std::move(path), std::move(lock), std::move(db))};
  if (auto prepared = result->prepare(); prepared.failed())
    return result->failure("cannot prepare its statements", prepared);
  return std::unique_ptr<store>{std::move(result)};
}

status database_store::prepare() {
  auto db = db_.get();
  if (auto prepared = transaction_runner::prepare(db, transaction_);
      prepared.failed())
    return prepared;
  if (auto prepared = meta_table::prepare(db, meta_); prepared.failed())
    return prepared;
  if (auto prepared = change_writer::prepare(db, writer_); prepared.failed())
    return prepared;
  return snapshot_reader::prepare(db, reader_);
}

caf::expected<snapshot> database_store::load() {
  snapshot result;
  auto loaded = transaction_.run([&] {
    if (auto read = meta_.read(result.clean, result.last_commit_ms);
        read.failed())
      return read;
    if (auto read = reader_.read(result); read.failed())
      return read;
    // From now on a crash must show as not clean on the next start.
    return meta_.mark(false, unix_now_ms());
  });
  if (loaded.failed())
    return failure("cannot load", loaded);
  return result;
}

caf::error database_store::apply(const std::vector<change>& changes) {
  auto applied = transaction_.run([&] {
    for (const auto& x : changes)
      if (auto written = writer_.write(x); written.failed())
        return written;
    // Marking in use here too: a crash after any write is seen even when
    // load() was skipped or close_clean() came before.
    return meta_.mark(false, unix_now_ms());
  });
  if (applied.failed())
    return failure("cannot apply " + std::to_string(changes.size()) +
                       " changes (none applied)",
                   applied);
  return caf::none;
}

caf::error database_store::close_clean() {
  // No explicit checkpoint: closing the last connection checkpoints the WAL
  // into the file, and a reader (a backup) may hold it now anyway.
  auto marked =
      transaction_.run([&] { return meta_.mark(true, unix_now_ms()); });
  if (marked.failed())
    return failure("cannot mark it closed cleanly", marked);
  return caf::none;
}

caf::error database_store::failure(const std::string& doing,
                                   const status& why) const {
  return caf::make_error(caf::sec::runtime_error,
                         path_ + ": " + doing + ": " + why.message());
}

} // namespace tether::store
