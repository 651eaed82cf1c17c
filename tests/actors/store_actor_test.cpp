// The store actor on a real SQLite file: changes are committed in groups,
// a reservation is answered once committed, a flush leaves the file clean.

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/scoped_actor.hpp>
#include <catch2/catch.hpp>

#include "tether/actors/store/store_actor.hpp"
#include "tether/store/sqlite_store.hpp"
#include "tether/tests/support/temp_dir.hpp"

using namespace tether;
using namespace std::chrono_literals;

namespace {

struct fixture {
  test::temp_dir dir;
  caf::actor_system_config cfg;
  caf::actor_system sys{cfg};
  caf::scoped_actor self{sys};

  store_actor open(store_timing timing = {}) {
    auto st = store::open_sqlite(dir.file("store.db"));
    REQUIRE(st);
    REQUIRE((*st)->load());
    return spawn_store(sys, std::shared_ptr<store::store>(std::move(*st)),
                       timing);
  }

  bool ask_flush(const store_actor& st) {
    bool done = false;
    self->request(st, 10s, flush_atom::value)
        .receive([&](bool ok) { done = ok; },
                 [](const caf::error& err) { FAIL(caf::to_string(err)); });
    return done;
  }

  store_stats stats(const store_actor& st) {
    store_stats x;
    self->request(st, 10s, stats_atom::value)
        .receive([&](store_stats y) { x = y; },
                 [](const caf::error& err) { FAIL(caf::to_string(err)); });
    return x;
  }

  /// Stops the store actor and waits for its file to be free.
  void stop(store_actor& st) {
    // As the runtime stops it (see stop_children_on_exit).
    caf::anon_send_exit(st, caf::exit_reason::user_shutdown);
    self->wait_for(st);
    st = nullptr;
  }

  store::snapshot reload() {
    // The writer lets the file go once it ended: wait for that.
    for (int i = 0; i < 500; ++i) {
      auto st = store::open_sqlite(dir.file("store.db"));
      if (st) {
        auto snap = (*st)->load();
        REQUIRE(snap);
        return std::move(*snap);
      }
      std::this_thread::sleep_for(10ms);
    }
    FAIL("the store file stayed locked");
    return {};
  }
};

store::keep_frame frame(uint64_t seq) {
  return store::keep_frame{"s",
                           1,
                           seq,
                           true,
                           false,
                           0,
                           std::make_shared<const std::string>("frame")};
}

} // namespace

TEST_CASE_METHOD(fixture, "a flush commits what waits and marks the file "
                          "clean") {
  auto st = open();
  self->send(st, store::change{store::put_session{
                     "s", "k", codec::value::empty_map(), 2}});
  self->send(st, store::change{store::put_line{"s", 1, 3, 0, 1, false, 0}});
  for (uint64_t seq = 1; seq <= 4; ++seq)
    self->send(st, store::change{frame(seq)});
  self->send(st, store::change{store::ack_frames{"s", 1, 2}});
  REQUIRE(ask_flush(st));
  auto x = stats(st);
  CHECK(x.enabled);
  CHECK_FALSE(x.failing);
  CHECK(x.commits >= 1);
  CHECK(x.pending == 0);
  stop(st);
  auto snap = reload();
  CHECK(snap.clean);
  REQUIRE(snap.sessions.size() == 1);
  REQUIRE(snap.sessions[0].lines.size() == 1);
  const auto& line = snap.sessions[0].lines[0];
  CHECK(line.generation == 3);
  CHECK(line.acked == 2);
  REQUIRE(line.kept.size() == 2);
  CHECK(line.kept[0].seq == 3);
  CHECK(line.kept[1].seq == 4);
}

TEST_CASE_METHOD(fixture, "a reservation is answered once it is committed") {
  // A flush interval far longer than the test: only the reservation itself
  // can make the commit happen.
  store_timing slow;
  slow.flush = std::chrono::minutes{10};
  auto st = open(slow);
  self->send(st, store::change{store::put_session{
                     "s", "k", codec::value::empty_map(), 2}});
  bool reserved = false;
  self->request(st, 10s, reserve_atom::value,
                store::change{store::put_line{"s", 1, 1, 0, 1025, false, 0}})
      .receive([&](bool ok) { reserved = ok; },
               [](const caf::error& err) { FAIL(caf::to_string(err)); });
  CHECK(reserved);
  CHECK(stats(st).commits == 1);
  // A crash now: the file must already hold the reservation.
  stop(st);
  auto snap = reload();
  CHECK_FALSE(snap.clean);
  REQUIRE(snap.sessions.size() == 1);
  REQUIRE(snap.sessions[0].lines.size() == 1);
  CHECK(snap.sessions[0].lines[0].seq_limit == 1025);
}

TEST_CASE_METHOD(fixture, "changes are committed within the flush interval "
                          "without anyone asking") {
  store_timing quick;
  quick.flush = 5ms;
  auto st = open(quick);
  self->send(st, store::change{store::put_room{"r", "", "", 10, 60, true, 0}});
  bool committed = false;
  for (int i = 0; i < 500 && !committed; ++i) {
    committed = stats(st).commits >= 1;
    if (!committed)
      std::this_thread::sleep_for(5ms);
  }
  CHECK(committed);
  stop(st);
  auto snap = reload();
  CHECK_FALSE(snap.clean);
  REQUIRE(snap.rooms.size() == 1);
  CHECK(snap.rooms[0].id == "r");
}
