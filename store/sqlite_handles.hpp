#pragma once

// Small RAII owners of SQLite's C handles, private to the store: a
// connection, a prepared statement, and the outcome of a call.

#include <cstdint>
#include <string>

#include <sqlite3.h>

namespace tether::store {

/// The outcome of a SQLite call. The message is copied at once because the
/// connection's next call overwrites it.
class status {
 public:
  static status ok() { return status{}; }

  /// Reads the connection's message when `code` is a failure.
  static status of(sqlite3* db, int code);

  /// A failure that SQLite did not report (a check of ours).
  static status failure(std::string message);

  bool failed() const noexcept { return failed_; }

  /// SQLite's result code (SQLITE_OK when it did not fail).
  int code() const noexcept { return code_; }

  const std::string& message() const noexcept { return message_; }

 private:
  bool failed_ = false;
  int code_ = SQLITE_OK;
  std::string message_;
};

/// One prepared statement, reused: every use ends with `reset()`, which also
/// drops the bindings (bound strings are not copied, see `bind_text`).
class statement {
 public:
  statement() = default;
  statement(const statement&) = delete;
  statement& operator=(const statement&) = delete;
  statement(statement&& other) noexcept;
  statement& operator=(statement&& other) noexcept;
  ~statement();

  static status prepare(sqlite3* db, const char* sql, statement& out);

  // Bindings are 1-based like SQLite's. A failed bind shows in `step()`.
  void bind_uint(int index, uint64_t x);
  void bind_bool(int index, bool x) { bind_uint(index, x ? 1 : 0); }
  /// Binds without copying: `x` must outlive the statement's use.
  void bind_text(int index, const std::string& x);
  /// Binds without copying: `x` must outlive the statement's use.
  void bind_blob(int index, const std::string& x);

  /// SQLITE_ROW, SQLITE_DONE, or the error (a failed bind included).
  int step();

  /// Steps until done and resets: for statements that return no rows.
  status execute();

  /// Steps through every row calling `on_row()`, then resets.
  template <class OnRow> status for_each_row(OnRow&& on_row) {
    int rc;
    while ((rc = step()) == SQLITE_ROW)
      on_row();
    auto result = status::of(db(), rc);
    reset();
    return result;
  }

  void reset();

  // Columns are 0-based like SQLite's. Integers are stored as int64 and
  // read back bit for bit.
  uint64_t column_uint(int index) const;
  bool column_bool(int index) const { return column_uint(index) != 0; }
  std::string column_text(int index) const;
  std::string column_blob(int index) const;

 private:
  sqlite3* db() const { return sqlite3_db_handle(handle_); }
  void note_bind(int rc);

  sqlite3_stmt* handle_ = nullptr;
  int bind_rc_ = SQLITE_OK;
};

/// One connection.
class database {
 public:
  database() = default;
  database(const database&) = delete;
  database& operator=(const database&) = delete;
  database(database&& other) noexcept;
  database& operator=(database&& other) noexcept;
  ~database();

  /// Opens (or creates) `path` for reading and writing.
  static status open(const std::string& path, database& out);

  sqlite3* get() const noexcept { return handle_; }

  /// Runs SQL text once (pragmas, migrations); not for repeated statements.
  status exec(const char* sql);

  /// Whether the last connection's close may checkpoint the WAL into the
  /// file: off while the file may still be refused, so it stays untouched.
  void set_checkpoint_on_close(bool enabled);

 private:
  sqlite3* handle_ = nullptr;
};

} // namespace tether::store
