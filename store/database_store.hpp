#pragma once

#include <string>

#include "tether/store/change_writer.hpp"
#include "tether/store/file_lock.hpp"
#include "tether/store/meta_table.hpp"
#include "tether/store/snapshot_reader.hpp"
#include "tether/store/sqlite_handles.hpp"
#include "tether/store/store.hpp"
#include "tether/store/transaction.hpp"

namespace tether::store {

/// The store over an opened, migrated SQLite file (see `open_sqlite`).
class database_store final : public store {
 public:
  /// Prepares every statement; fails with the error's text.
  static caf::expected<std::unique_ptr<store>>
  make(std::string path, file_lock lock, database db);

  caf::expected<snapshot> load() override;

  caf::error apply(const std::vector<change>& changes) override;

  caf::error close_clean() override;

 private:
  database_store(std::string path, file_lock lock, database db);

  status prepare();

  /// The error for a log: the path, what failed, and SQLite's words.
  caf::error failure(const std::string& doing, const status& why) const;

  std::string path_;
  // Destroyed last: the lock outlives the connection it guards.
  file_lock lock_;
  database db_;
  transaction_runner transaction_;
  meta_table meta_;
  change_writer writer_;
  snapshot_reader reader_;
};

} // namespace tether::store
