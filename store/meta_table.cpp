#include "tether/store/meta_table.hpp"

#include <chrono>
#include <string>

namespace tether::store {

status meta_table::prepare(sqlite3* db, meta_table& out) {
  if (auto prepared =
          statement::prepare(db,
                             "SELECT key, value FROM meta WHERE key IN "
                             "('clean', 'last_commit_ms')",
                             out.read_);
      prepared.failed())
    return prepared;
  return statement::prepare(
      db,
      "INSERT INTO meta (key, value) VALUES ('clean', ?1), "
      "('last_commit_ms', ?2) ON CONFLICT (key) DO UPDATE SET value = "
      "excluded.value",
      out.mark_);
}

status meta_table::read(bool& clean, uint64_t& last_commit_ms) {
  clean = true;
  last_commit_ms = 0;
  return read_.for_each_row([&] {
    auto key = read_.column_text(0);
    if (key == "clean")
      clean = read_.column_bool(1);
    else
      last_commit_ms = read_.column_uint(1);
  });
}

status meta_table::mark(bool clean, uint64_t now_ms) {
  mark_.bind_bool(1, clean);
  mark_.bind_uint(2, now_ms);
  return mark_.execute();
}

uint64_t unix_now_ms() {
  using namespace std::chrono;
  return static_cast<uint64_t>(
      duration_cast<milliseconds>(system_clock::now().time_since_epoch())
          .count());
}

} // namespace tether::store
