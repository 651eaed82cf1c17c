#pragma once

#include <string>

#include <caf/expected.hpp>

namespace tether::store {

/// An exclusive flock on a lock file, held until destroyed: one node per
/// store file. A separate file, not SQLite's own locking, so that other
/// processes (`sqlite3 FILE .backup`) can still read the store.
class file_lock {
 public:
  file_lock() = default;
  file_lock(const file_lock&) = delete;
  file_lock& operator=(const file_lock&) = delete;
  file_lock(file_lock&& other) noexcept;
  file_lock& operator=(file_lock&& other) noexcept;
  ~file_lock();

  /// Takes the lock on `lock_path` (created 0600 if missing) without
  /// waiting; `store_path` names the store in the error.
  static caf::expected<file_lock> acquire(const std::string& store_path,
                                          const std::string& lock_path);

 private:
  explicit file_lock(int fd) : fd_(fd) {}

  int fd_ = -1;
};

} // namespace tether::store
