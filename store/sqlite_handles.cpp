#include "tether/store/sqlite_handles.hpp"

#include <cstring>
#include <utility>

namespace tether::store {

// -- status -------------------------------------------------------------------

status status::of(sqlite3* db, int code) {
  status result;
  if (code == SQLITE_OK || code == SQLITE_DONE || code == SQLITE_ROW)
    return result;
  result.failed_ = true;
  result.code_ = code;
  result.message_ = db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(code);
  // "disk I/O error" alone does not say whether the disk is full or the
  // file too large: the OS error does (only these codes set it freshly).
  auto primary = code & 0xff;
  auto from_os = primary == SQLITE_IOERR || primary == SQLITE_FULL ||
                 primary == SQLITE_CANTOPEN;
  if (auto os_error = db != nullptr ? sqlite3_system_errno(db) : 0;
      from_os && os_error != 0)
    result.message_ += std::string{" ("} + std::strerror(os_error) + ")";
  return result;
}

status status::failure(std::string message) {
  status result;
  result.failed_ = true;
  result.code_ = SQLITE_ERROR;
  result.message_ = std::move(message);
  return result;
}

// -- statement ----------------------------------------------------------------

statement::statement(statement&& other) noexcept
    : handle_(std::exchange(other.handle_, nullptr)), bind_rc_(other.bind_rc_) {
}

statement& statement::operator=(statement&& other) noexcept {
  if (this != &other) {
    sqlite3_finalize(handle_);
    handle_ = std::exchange(other.handle_, nullptr);
    bind_rc_ = other.bind_rc_;
  }
  return *this;
}

statement::~statement() {
  sqlite3_finalize(handle_);
}

status statement::prepare(sqlite3* db, const char* sql, statement& out) {
  sqlite3_stmt* handle = nullptr;
  auto rc = sqlite3_prepare_v2(db, sql, -1, &handle, nullptr);
  if (rc != SQLITE_OK) {
    auto result = status::of(db, rc);
    sqlite3_finalize(handle);
    return result;
  }
  out = statement{};
  out.handle_ = handle;
  return status::ok();
}

void statement::note_bind(int rc) {
  if (bind_rc_ == SQLITE_OK)
    bind_rc_ = rc;
}

void statement::bind_uint(int index, uint64_t x) {
  note_bind(sqlite3_bind_int64(handle_, index, static_cast<sqlite3_int64>(x)));
}

void statement::bind_text(int index, const std::string& x) {
  note_bind(sqlite3_bind_text64(handle_, index, x.data(), x.size(),
                                SQLITE_STATIC, SQLITE_UTF8));
}

void statement::bind_blob(int index, const std::string& x) {
  // data() is never null, so an empty string binds an empty blob, not NULL.
  note_bind(
      sqlite3_bind_blob64(handle_, index, x.data(), x.size(), SQLITE_STATIC));
}

int statement::step() {
  if (bind_rc_ != SQLITE_OK)
    return bind_rc_;
  return sqlite3_step(handle_);
}

status statement::execute() {
  int rc;
  while ((rc = step()) == SQLITE_ROW) {
    // Pragmas may answer with a row; nothing to read.
  }
  auto result = status::of(db(), rc);
  reset();
  return result;
}

void statement::reset() {
  sqlite3_reset(handle_);
  sqlite3_clear_bindings(handle_);
  bind_rc_ = SQLITE_OK;
}

uint64_t statement::column_uint(int index) const {
  return static_cast<uint64_t>(sqlite3_column_int64(handle_, index));
}

std::string statement::column_text(int index) const {
  auto data = sqlite3_column_text(handle_, index);
  auto size = sqlite3_column_bytes(handle_, index);
  if (data == nullptr || size <= 0)
    return {};
  return std::string{reinterpret_cast<const char*>(data),
                     static_cast<size_t>(size)};
}

std::string statement::column_blob(int index) const {
  auto data = sqlite3_column_blob(handle_, index);
  auto size = sqlite3_column_bytes(handle_, index);
  if (data == nullptr || size <= 0)
    return {};
  return std::string{static_cast<const char*>(data), static_cast<size_t>(size)};
}

// -- database -----------------------------------------------------------------

database::database(database&& other) noexcept
    : handle_(std::exchange(other.handle_, nullptr)) {}

database& database::operator=(database&& other) noexcept {
  if (this != &other) {
    sqlite3_close_v2(handle_);
    handle_ = std::exchange(other.handle_, nullptr);
  }
  return *this;
}

database::~database() {
  // close_v2 defers the close until every statement is finalized, so the
  // order in which an owner destroys its members does not matter.
  sqlite3_close_v2(handle_);
}

status database::open(const std::string& path, database& out) {
  sqlite3* handle = nullptr;
  auto flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
  auto rc = sqlite3_open_v2(path.c_str(), &handle, flags, nullptr);
  if (rc != SQLITE_OK) {
    auto result = status::of(handle, rc);
    sqlite3_close_v2(handle);
    return result;
  }
  out = database{};
  out.handle_ = handle;
  return status::ok();
}

status database::exec(const char* sql) {
  return status::of(handle_,
                    sqlite3_exec(handle_, sql, nullptr, nullptr, nullptr));
}

void database::set_checkpoint_on_close(bool enabled) {
  sqlite3_db_config(handle_, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, enabled ? 0 : 1,
                    nullptr);
}

} // namespace tether::store
