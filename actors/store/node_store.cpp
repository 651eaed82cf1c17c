#include "tether/actors/store/node_store.hpp"

#include <cerrno>
#include <cstring>
#include <sys/stat.h>

#include "tether/actors/log.hpp"
#include "tether/actors/store/store_actor.hpp"
#include "tether/store/sqlite_store.hpp"

namespace tether {

namespace {

/// Makes the folder a default store lives in (one level, like data_dir).
void make_parent(const std::string& path) {
  auto slash = path.rfind('/');
  if (slash != std::string::npos && slash > 0)
    ::mkdir(path.substr(0, slash).c_str(), 0700);
}

} // namespace

std::string error_text(const caf::error& err) {
  if (err.context().match_elements<std::string>())
    return err.context().get_as<std::string>(0);
  return caf::to_string(err);
}

caf::expected<opened_store> open_node_store(caf::actor_system& sys,
                                            const config::options& opts) {
  opened_store result;
  auto path = opts.store_path();
  if (path.empty()) {
    TETHER_LOG(info, "store", "none: sessions and rooms end with the node");
    return result;
  }
  make_parent(path);
  auto st = store::open_sqlite(path);
  if (!st)
    return std::move(st.error());
  auto snap = (*st)->load();
  if (!snap)
    return std::move(snap.error());
  result.snapshot = std::move(*snap);
  TETHER_LOG(info, "store",
             path << ": " << result.snapshot.sessions.size() << " sessions, "
                  << result.snapshot.rooms.size() << " rooms"
                  << (result.snapshot.clean ? ""
                                            : " (the last run did not stop "
                                              "cleanly)"));
  store_timing timing;
  timing.flush = std::chrono::milliseconds{opts.store_flush_ms};
  result.actor =
      spawn_store(sys, std::shared_ptr<store::store>(std::move(*st)), timing);
  return result;
}

} // namespace tether
