#include "tether/store/transaction.hpp"

namespace tether::store {

status transaction_runner::prepare(sqlite3* db, transaction_runner& out) {
  // IMMEDIATE takes the write lock up front: a busy file fails at BEGIN
  // (after the busy timeout), not half-way through a batch.
  for (auto [target, sql] : {std::pair{&out.begin_, "BEGIN IMMEDIATE"},
                             std::pair{&out.commit_, "COMMIT"},
                             std::pair{&out.rollback_, "ROLLBACK"}})
    if (auto prepared = statement::prepare(db, sql, *target); prepared.failed())
      return prepared;
  out.db_ = db;
  return status::ok();
}

void transaction_runner::roll_back() {
  // SQLite rolls back by itself after some errors (disk full, I/O error);
  // a second ROLLBACK would only fail.
  if (sqlite3_get_autocommit(db_) == 0)
    rollback_.execute();
}

} // namespace tether::store
