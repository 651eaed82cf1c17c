// The SQLite store: what a batch writes loads back, refusals leave the file
// as it was, and a failed write leaves the store usable.

#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <sqlite3.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <caf/error.hpp>
#include <caf/message.hpp>
#include <catch2/catch.hpp>

#include "tether/store/sqlite_store.hpp"
#include "tether/tests/records/record_equality.hpp"
#include "tether/tests/support/temp_dir.hpp"

namespace {

using namespace tether;
using codec::value;
namespace fs = std::filesystem;

// -- files --------------------------------------------------------------------

using test::temp_dir;

std::optional<std::string> read_bytes(const std::string& path) {
  std::ifstream in{path, std::ios::binary};
  if (!in)
    return std::nullopt;
  return std::string{std::istreambuf_iterator<char>{in}, {}};
}

void write_bytes(const std::string& path, const std::string& bytes) {
  std::ofstream out{path, std::ios::binary | std::ios::trunc};
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  REQUIRE(out.good());
}

bool exists(const std::string& path) {
  return fs::exists(path);
}

// -- the store ----------------------------------------------------------------

/// The text an error carries (make_error puts it in the context).
std::string text_of(const caf::error& err) {
  const auto& context = err.context();
  if (context.match_elements<std::string>())
    return context.get_as<std::string>(0);
  return caf::to_string(err);
}

std::unique_ptr<store::store> open_or_fail(const std::string& path) {
  auto opened = store::open_sqlite(path);
  if (!opened)
    FAIL("open_sqlite failed: " << text_of(opened.error()));
  return std::move(*opened);
}

store::snapshot load_or_fail(store::store& db) {
  auto loaded = db.load();
  if (!loaded)
    FAIL("load failed: " << text_of(loaded.error()));
  return std::move(*loaded);
}

void apply_or_fail(store::store& db, const std::vector<store::change>& xs) {
  if (auto err = db.apply(xs))
    FAIL("apply failed: " << text_of(err));
}

/// Opens `path`, loads it, and closes it cleanly.
store::snapshot reload(const std::string& path) {
  auto db = open_or_fail(path);
  auto result = load_or_fail(*db);
  REQUIRE(!db->close_clean());
  return result;
}

// -- SQLite directly ----------------------------------------------------------

/// A connection of the test's own, next to (or without) the store's.
class raw_db {
 public:
  explicit raw_db(const std::string& path) {
    REQUIRE(sqlite3_open(path.c_str(), &db_) == SQLITE_OK);
  }
  raw_db(const raw_db&) = delete;
  raw_db& operator=(const raw_db&) = delete;
  ~raw_db() { sqlite3_close(db_); }

  void exec(const std::string& sql) {
    char* message = nullptr;
    auto rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &message);
    std::string text = message != nullptr ? message : "";
    sqlite3_free(message);
    INFO(sql << ": " << text);
    REQUIRE(rc == SQLITE_OK);
  }

  /// The first column of the first row, as text.
  std::string query(const std::string& sql) {
    sqlite3_stmt* stmt = nullptr;
    REQUIRE(sqlite3_prepare_v2(db_, sql.c_str(), -1, &stmt, nullptr) ==
            SQLITE_OK);
    std::string result;
    if (sqlite3_step(stmt) == SQLITE_ROW)
      if (auto text = sqlite3_column_text(stmt, 0))
        result = reinterpret_cast<const char*>(text);
    sqlite3_finalize(stmt);
    return result;
  }

  long count(const std::string& table) {
    return std::stol(query("SELECT count(*) FROM " + table));
  }

  sqlite3* get() const { return db_; }

  /// Leaves the WAL as it is on close, like a process that stopped.
  void keep_wal_on_close() {
    sqlite3_db_config(db_, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, nullptr);
  }

 private:
  sqlite3* db_ = nullptr;
};

// -- changes ------------------------------------------------------------------

value info_of(const std::string& user) {
  return value::map({{"user", value::of(user)}, {"level", value::of(3)}});
}

std::shared_ptr<const std::string> bytes_of(const std::string& text) {
  // NUL and high bytes: frames are binary.
  return std::make_shared<const std::string>(std::string{"\x92\x00\xff", 3} +
                                             text);
}

store::put_session session(const std::string& id, uint64_t next_line) {
  return store::put_session{id, "key-" + id, info_of(id), next_line};
}

store::put_line line(const std::string& session, uint64_t number,
                     uint64_t seq_limit) {
  store::put_line x;
  x.session = session;
  x.number = number;
  x.generation = number + 10;
  x.seq_limit = seq_limit;
  return x;
}

store::keep_frame frame(const std::string& session, uint64_t line,
                        uint64_t seq) {
  store::keep_frame x;
  x.session = session;
  x.line = line;
  x.seq = seq;
  x.counted = seq % 2 == 1;
  x.answers = seq % 3 == 0;
  x.request_id = seq * 100;
  x.bytes = bytes_of(session + "/" + std::to_string(line) + "/" +
                     std::to_string(seq));
  return x;
}

store::put_room room(const std::string& id, bool presence) {
  store::put_room x;
  x.id = id;
  x.type = "type-" + id;
  x.owner = "s1";
  x.max_members = 16;
  x.ttl_s = 300;
  x.presence = presence;
  return x;
}

store::add_member member(const std::string& room, const std::string& id,
                         uint64_t position) {
  return store::add_member{
      room, records::room_member_record{id, info_of(id), position}};
}

/// Sessions, lines, frames, acks, rooms, members and props, in the order a
/// node would write them.
std::vector<store::change> realistic_batch() {
  auto detached = line("s1", 2, 8);
  detached.detached_since_ms = 1'700'000'000'500;
  detached.acked = 1;
  auto broken = line("s2", 1, 4);
  broken.broken = true;
  return {
      session("s1", 2), session("s2", 1), session("s3", 1), line("s1", 1, 64),
      detached, broken, frame("s1", 1, 1), frame("s1", 1, 2), frame("s1", 1, 3),
      frame("s1", 1, 4), frame("s1", 1, 5), frame("s1", 2, 2),
      frame("s1", 2, 3),
      // Acknowledged: frames 1..3 go, acked becomes 3 and a late, lower ack
      // does not lower it.
      store::ack_frames{"s1", 1, 3}, store::ack_frames{"s1", 1, 2},
      session("s1", 3), // a new next_line; the upsert keeps the rest
      store::session_idle{"s3", 1'700'000'000'000}, room("lobby", true),
      room("game", false),
      // Joined out of position order: members load in position order.
      member("lobby", "s2", 7), member("lobby", "s1", 2),
      member("lobby", "s3", 9), store::remove_member{"lobby", "s3"},
      member("game", "s1", 1),
      member("game", "elsewhere", 3), // not a session of this node
      store::set_prop{"lobby", "topic", value::of(std::string{"hello"})},
      store::set_prop{"lobby", "count", value::of(1)},
      store::set_prop{"lobby", "count", value::of(2)},
      store::set_prop{"lobby", "scratch", value::of(true)},
      store::set_prop{"lobby", "scratch", value{}}, // nil removes it
      store::set_prop{"lobby", "absent", value{}},  // removing nothing is fine
  };
}

records::kept_frame kept(const std::string& session, uint64_t line,
                         uint64_t seq) {
  auto x = frame(session, line, seq);
  return records::kept_frame{x.seq, x.counted, x.answers, x.request_id,
                             *x.bytes};
}

records::line_record line_record(uint64_t number, uint64_t acked,
                                 uint64_t seq_limit, uint64_t next_seq) {
  records::line_record x;
  x.number = number;
  x.generation = number + 10;
  x.acked = acked;
  x.seq_limit = seq_limit;
  x.next_seq = next_seq;
  return x;
}

records::session_record session_record(const std::string& id,
                                       uint64_t next_line) {
  records::session_record x;
  x.id = id;
  x.key = "key-" + id;
  x.info = info_of(id);
  x.next_line = next_line;
  return x;
}

records::room_record room_record(const std::string& id, bool presence) {
  records::room_record x;
  x.id = id;
  x.type = "type-" + id;
  x.owner = "s1";
  x.max_members = 16;
  x.ttl_s = 300;
  x.presence = presence;
  return x;
}

records::room_member_record member_record(const std::string& id,
                                          uint64_t position) {
  return records::room_member_record{id, info_of(id), position};
}

/// What `realistic_batch()` loads as: a line numbers on from its acks and
/// kept frames, crash or not (after a crash the line itself moves on to its
/// seq_limit).
store::snapshot expected_snapshot(bool clean) {
  auto s1 = session_record("s1", 3);
  auto s1_line1 = line_record(1, 3, 64, 6);
  s1_line1.kept = {kept("s1", 1, 4), kept("s1", 1, 5)};
  auto s1_line2 = line_record(2, 1, 8, 4);
  s1_line2.detached_since_ms = 1'700'000'000'500;
  s1_line2.kept = {kept("s1", 2, 2), kept("s1", 2, 3)};
  s1.lines = {s1_line1, s1_line2};
  s1.rooms = {"game", "lobby"};
  auto s2 = session_record("s2", 1);
  auto s2_line1 = line_record(1, 0, 4, 1);
  s2_line1.broken = true;
  s2.lines = {s2_line1};
  s2.rooms = {"lobby"};
  auto s3 = session_record("s3", 1);
  s3.idle_since_ms = 1'700'000'000'000;
  auto game = room_record("game", false);
  game.members = {member_record("s1", 1), member_record("elsewhere", 3)};
  auto lobby = room_record("lobby", true);
  lobby.members = {member_record("s1", 2), member_record("s2", 7)};
  lobby.props = {{"count", value::of(2)},
                 {"topic", value::of(std::string{"hello"})}};
  store::snapshot x;
  x.clean = clean;
  x.sessions = {s1, s2, s3};
  x.rooms = {game, lobby};
  return x;
}

void check_contents(const store::snapshot& loaded,
                    const store::snapshot& expected) {
  CHECK(loaded.clean == expected.clean);
  REQUIRE(loaded.sessions.size() == expected.sessions.size());
  for (size_t i = 0; i < expected.sessions.size(); ++i)
    CHECK(loaded.sessions[i] == expected.sessions[i]);
  REQUIRE(loaded.rooms.size() == expected.rooms.size());
  for (size_t i = 0; i < expected.rooms.size(); ++i)
    CHECK(loaded.rooms[i] == expected.rooms[i]);
}

uint64_t now_ms() {
  using namespace std::chrono;
  return static_cast<uint64_t>(
      duration_cast<milliseconds>(system_clock::now().time_since_epoch())
          .count());
}

} // namespace

// -- contents -----------------------------------------------------------------

TEST_CASE("a new store loads empty and clean") {
  temp_dir dir;
  auto db = open_or_fail(dir.file("node.db"));
  auto loaded = load_or_fail(*db);
  CHECK(loaded.clean);
  CHECK(loaded.last_commit_ms == 0);
  CHECK(loaded.sessions.empty());
  CHECK(loaded.rooms.empty());
}

TEST_CASE("a batch applied before a clean close loads back unchanged") {
  temp_dir dir;
  auto path = dir.file("node.db");
  auto before = now_ms();
  {
    auto db = open_or_fail(path);
    load_or_fail(*db);
    apply_or_fail(*db, realistic_batch());
    REQUIRE(!db->close_clean());
  }
  auto loaded = reload(path);
  check_contents(loaded, expected_snapshot(true));
  CHECK(loaded.last_commit_ms >= before);
  CHECK(loaded.last_commit_ms <= now_ms());
  SECTION("and again: loading and closing cleanly changes nothing") {
    check_contents(reload(path), expected_snapshot(true));
  }
}

TEST_CASE("a store destroyed without close_clean loads as not clean") {
  temp_dir dir;
  auto path = dir.file("node.db");
  {
    auto db = open_or_fail(path);
    load_or_fail(*db);
    apply_or_fail(*db, realistic_batch());
    // A crash: no close_clean.
  }
  SECTION("with everything it wrote, seq_limits included") {
    // Reopening at all shows that the destroyed store freed its lock.
    check_contents(reload(path), expected_snapshot(false));
  }
  SECTION("a clean close after that makes it clean again") {
    reload(path);
    check_contents(reload(path), expected_snapshot(true));
  }
}

TEST_CASE("loading marks the file in use until close_clean") {
  temp_dir dir;
  auto path = dir.file("node.db");
  {
    auto db = open_or_fail(path);
    apply_or_fail(*db, {session("s1", 1)});
    REQUIRE(!db->close_clean());
  }
  {
    auto db = open_or_fail(path);
    CHECK(load_or_fail(*db).clean);
    // Crash after load, without writing anything.
  }
  auto db = open_or_fail(path);
  auto loaded = load_or_fail(*db);
  CHECK(!loaded.clean);
  CHECK(loaded.last_commit_ms > 0);
  REQUIRE(loaded.sessions.size() == 1);
}

TEST_CASE("put_line and keep_frame overwrite what they name") {
  temp_dir dir;
  auto path = dir.file("node.db");
  {
    auto db = open_or_fail(path);
    auto changed = line("s1", 1, 20);
    changed.generation = 99;
    changed.acked = 5;
    auto replaced = frame("s1", 1, 7);
    replaced.bytes = bytes_of("second");
    replaced.request_id = 4242;
    apply_or_fail(*db, {session("s1", 2), line("s1", 1, 10), frame("s1", 1, 7),
                        changed, replaced, store::session_idle{"s1", 5},
                        store::session_idle{"s1", 0}});
    REQUIRE(!db->close_clean());
  }
  auto loaded = reload(path);
  REQUIRE(loaded.sessions.size() == 1);
  const auto& s1 = loaded.sessions[0];
  CHECK(s1.idle_since_ms == 0);
  REQUIRE(s1.lines.size() == 1);
  CHECK(s1.lines[0].generation == 99);
  CHECK(s1.lines[0].acked == 5);
  CHECK(s1.lines[0].seq_limit == 20);
  REQUIRE(s1.lines[0].kept.size() == 1);
  CHECK(s1.lines[0].kept[0].bytes == *bytes_of("second"));
  CHECK(s1.lines[0].kept[0].request_id == 4242);
  CHECK(s1.lines[0].next_seq == 8);
}

TEST_CASE("drop_session removes its lines and frames") {
  temp_dir dir;
  auto path = dir.file("node.db");
  auto db = open_or_fail(path);
  apply_or_fail(*db, realistic_batch());
  apply_or_fail(*db, {store::drop_session{"s1"}});
  raw_db raw{path};
  CHECK(raw.count("sessions WHERE id = 's1'") == 0);
  CHECK(raw.count("lines WHERE session = 's1'") == 0);
  CHECK(raw.count("frames WHERE session = 's1'") == 0);
  CHECK(raw.count("lines") == 1); // s2's
  // Memberships are the rooms' own changes to remove.
  CHECK(raw.count("room_members WHERE member = 's1'") == 2);
  auto loaded = load_or_fail(*db);
  REQUIRE(loaded.sessions.size() == 2);
  CHECK(loaded.sessions[0].id == "s2");
  CHECK(loaded.sessions[1].id == "s3");
}

TEST_CASE("drop_line removes the line and its frames, drop_frames only the "
          "frames") {
  temp_dir dir;
  auto path = dir.file("node.db");
  auto db = open_or_fail(path);
  apply_or_fail(*db, realistic_batch());
  apply_or_fail(*db, {store::drop_line{"s1", 1}, store::drop_frames{"s1", 2}});
  raw_db raw{path};
  CHECK(raw.count("lines WHERE session = 's1' AND number = 1") == 0);
  CHECK(raw.count("lines WHERE session = 's1' AND number = 2") == 1);
  CHECK(raw.count("frames WHERE session = 's1'") == 0);
  auto loaded = load_or_fail(*db);
  REQUIRE(loaded.sessions.size() == 3);
  REQUIRE(loaded.sessions[0].lines.size() == 1);
  CHECK(loaded.sessions[0].lines[0].number == 2);
  CHECK(loaded.sessions[0].lines[0].kept.empty());
}

TEST_CASE("drop_room removes its members and props") {
  temp_dir dir;
  auto path = dir.file("node.db");
  auto db = open_or_fail(path);
  apply_or_fail(*db, realistic_batch());
  apply_or_fail(*db, {store::drop_room{"lobby"}});
  raw_db raw{path};
  CHECK(raw.count("rooms WHERE id = 'lobby'") == 0);
  CHECK(raw.count("room_members WHERE room = 'lobby'") == 0);
  CHECK(raw.count("room_props WHERE room = 'lobby'") == 0);
  CHECK(raw.count("room_members WHERE room = 'game'") == 2);
  auto loaded = load_or_fail(*db);
  REQUIRE(loaded.rooms.size() == 1);
  CHECK(loaded.rooms[0].id == "game");
  REQUIRE(loaded.sessions.size() == 3);
  CHECK(loaded.sessions[0].rooms == std::vector<std::string>{"game"});
  CHECK(loaded.sessions[1].rooms.empty());
}

TEST_CASE("a failed change applies nothing of its batch") {
  temp_dir dir;
  auto path = dir.file("node.db");
  auto db = open_or_fail(path);
  apply_or_fail(*db, {session("s1", 1)});
  {
    // A trigger stands in for any failing statement half-way through.
    raw_db raw{path};
    raw.exec("CREATE TRIGGER no_rooms BEFORE INSERT ON rooms "
             "BEGIN SELECT RAISE(ABORT, 'rooms refused'); END");
  }
  auto err = db->apply({session("s2", 1), room("lobby", true)});
  REQUIRE(err);
  auto text = text_of(err);
  CHECK_THAT(text, Catch::Contains(path));
  CHECK_THAT(text, Catch::Contains("rooms refused"));
  auto loaded = load_or_fail(*db);
  REQUIRE(loaded.sessions.size() == 1);
  CHECK(loaded.sessions[0].id == "s1");
  CHECK(loaded.rooms.empty());
}

// -- refusals -----------------------------------------------------------------

TEST_CASE("a file that is not SQLite is refused and left untouched") {
  temp_dir dir;
  auto path = dir.file("node.db");
  std::string garbage;
  SECTION("any bytes") {
    for (int i = 0; i < 4096; ++i)
      garbage += static_cast<char>((i * 37 + 11) % 256);
  }
  SECTION("a few bytes") {
    garbage = "SQLite";
  }
  SECTION("SQLite's header and then garbage (SQLITE_NOTADB)") {
    garbage = std::string{"SQLite format 3\0", 16} + std::string(4080, '\x55');
  }
  write_bytes(path, garbage);
  auto opened = store::open_sqlite(path);
  REQUIRE(!opened);
  CHECK(text_of(opened.error()) ==
        path + " is not a SQLite database; left untouched");
  CHECK(read_bytes(path) == garbage);
  CHECK(!exists(path + "-wal"));
  CHECK(!exists(path + "-shm"));
  CHECK(!exists(path + "-journal"));
}

TEST_CASE("a newer schema is refused and left untouched") {
  temp_dir dir;
  auto path = dir.file("node.db");
  std::optional<std::string> wal;
  SECTION("in a rollback-journal file") {
    raw_db raw{path};
    raw.exec("CREATE TABLE future (x); INSERT INTO future VALUES (1);"
             "PRAGMA user_version = 99;");
  }
  SECTION("in WAL mode with commits not yet checkpointed") {
    {
      raw_db raw{path};
      raw.exec("PRAGMA journal_mode = WAL; CREATE TABLE future (x);"
               "PRAGMA user_version = 99; INSERT INTO future VALUES (1);");
      raw.keep_wal_on_close();
    }
    wal = read_bytes(path + "-wal");
    REQUIRE(wal);
    REQUIRE(!wal->empty());
  }
  auto before = read_bytes(path);
  REQUIRE(before);
  auto opened = store::open_sqlite(path);
  REQUIRE(!opened);
  CHECK(text_of(opened.error()) ==
        path + " was written by a newer Tether (schema 99, this build reads "
               "up to 1); left untouched");
  CHECK(read_bytes(path) == before);
  if (wal) {
    CHECK(read_bytes(path + "-wal") == wal);
  } else {
    CHECK(!exists(path + "-wal"));
    CHECK(!exists(path + "-shm"));
  }
}

TEST_CASE("a SQLite database that is not a store is refused and left "
          "untouched") {
  temp_dir dir;
  auto path = dir.file("other.db");
  {
    raw_db raw{path};
    raw.exec("CREATE TABLE contacts (name TEXT)");
  }
  auto before = read_bytes(path);
  auto opened = store::open_sqlite(path);
  REQUIRE(!opened);
  CHECK_THAT(text_of(opened.error()),
             Catch::StartsWith(path + " is a SQLite database but not a "
                                      "Tether store"));
  CHECK(read_bytes(path) == before);
  CHECK(!exists(path + "-wal"));
}

TEST_CASE("a path in use is refused until its store is destroyed") {
  temp_dir dir;
  auto path = dir.file("node.db");
  auto first = open_or_fail(path);
  struct stat lock_stat {};
  REQUIRE(::stat((path + "-lock").c_str(), &lock_stat) == 0);
  CHECK((lock_stat.st_mode & 0777) == 0600);
  // It holds session keys: the store and its WAL are the owner's only.
  for (const auto& file : {path, path + "-wal"}) {
    struct stat st {};
    REQUIRE(::stat(file.c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0600);
  }
  auto second = store::open_sqlite(path);
  REQUIRE(!second);
  CHECK(text_of(second.error()) ==
        path + " is in use by another node (lock " + path + "-lock held)");
  // The first store does not notice.
  apply_or_fail(*first, {session("s1", 1)});
  REQUIRE(!first->close_clean());
  first.reset();
  auto third = open_or_fail(path);
  CHECK(load_or_fail(*third).sessions.size() == 1);
}

TEST_CASE("a missing directory is an error that names the path") {
  temp_dir dir;
  auto path = dir.file("missing/node.db");
  auto opened = store::open_sqlite(path);
  REQUIRE(!opened);
  CHECK_THAT(text_of(opened.error()), Catch::Contains(path));
}

// -- schema -------------------------------------------------------------------

TEST_CASE("a new file is created at schema version 1 through the "
          "migrations") {
  temp_dir dir;
  auto path = dir.file("node.db");
  SECTION("no file") {}
  SECTION("an empty file") {
    write_bytes(path, "");
  }
  REQUIRE(store::schema_version == 1);
  REQUIRE(!open_or_fail(path)->close_clean());
  raw_db raw{path};
  CHECK(raw.query("PRAGMA user_version") == "1");
  CHECK(raw.query("PRAGMA journal_mode") == "wal");
  for (auto table : {"meta", "sessions", "lines", "frames", "rooms",
                     "room_members", "room_props"})
    CHECK(raw.count(std::string{"sqlite_master WHERE type = 'table' AND "
                                "name = '"} +
                    table + "'") == 1);
  CHECK(raw.query("SELECT value FROM meta WHERE key = 'clean'") == "1");
}

TEST_CASE("reopening a current file runs no migration") {
  temp_dir dir;
  auto path = dir.file("node.db");
  {
    auto db = open_or_fail(path);
    apply_or_fail(*db, {session("s1", 1)});
    REQUIRE(!db->close_clean());
  }
  // Step 0 to 1 again would fail on the existing tables: reopening works
  // only because no step runs.
  auto loaded = reload(path);
  CHECK(loaded.sessions.size() == 1);
  raw_db raw{path};
  CHECK(raw.query("PRAGMA user_version") == "1");
}

// -- living next to other processes -------------------------------------------

TEST_CASE("a live store can be backed up by another connection") {
  temp_dir dir;
  auto path = dir.file("node.db");
  auto copy = dir.file("copy.db");
  auto db = open_or_fail(path);
  load_or_fail(*db);
  apply_or_fail(*db, realistic_batch());
  {
    raw_db source{path};
    raw_db target{copy};
    auto backup =
        sqlite3_backup_init(target.get(), "main", source.get(), "main");
    REQUIRE(backup != nullptr);
    CHECK(sqlite3_backup_step(backup, -1) == SQLITE_DONE);
    CHECK(sqlite3_backup_finish(backup) == SQLITE_OK);
  }
  // The store keeps working while and after being read.
  apply_or_fail(*db, {store::drop_session{"s3"}});
  raw_db restored{copy};
  CHECK(restored.count("sessions") == 3);
  CHECK(restored.count("frames") == 4);
}

TEST_CASE("a live store can be backed up by the sqlite3 shell") {
  if (std::system("command -v sqlite3 > /dev/null 2>&1") != 0) {
    WARN("no sqlite3 shell installed: nothing to test");
    return;
  }
  temp_dir dir;
  auto path = dir.file("node.db");
  auto copy = dir.file("copy.db");
  auto db = open_or_fail(path);
  load_or_fail(*db);
  apply_or_fail(*db, realistic_batch());
  // Another process, as an operator would run it.
  auto command = "sqlite3 '" + path + "' '.backup " + copy + "'";
  REQUIRE(std::system(command.c_str()) == 0);
  apply_or_fail(*db, {store::drop_session{"s3"}});
  raw_db restored{copy};
  CHECK(restored.count("sessions") == 3);
  CHECK(restored.count("room_props") == 2);
}

// -- a failing disk -----------------------------------------------------------

namespace {

/// Limits the size of any file this process writes, with SIGXFSZ ignored
/// so that a write past it fails (EFBIG) instead of killing the process.
/// Root is not exempt. Restores both on destruction.
class file_size_limit {
 public:
  explicit file_size_limit(rlim_t bytes) {
    REQUIRE(::getrlimit(RLIMIT_FSIZE, &saved_limit_) == 0);
    saved_handler_ = std::signal(SIGXFSZ, SIG_IGN);
    REQUIRE(saved_handler_ != SIG_ERR);
    auto limit = saved_limit_;
    limit.rlim_cur = bytes;
    REQUIRE(::setrlimit(RLIMIT_FSIZE, &limit) == 0);
  }
  file_size_limit(const file_size_limit&) = delete;
  file_size_limit& operator=(const file_size_limit&) = delete;
  ~file_size_limit() {
    ::setrlimit(RLIMIT_FSIZE, &saved_limit_);
    std::signal(SIGXFSZ, saved_handler_);
  }

 private:
  rlimit saved_limit_{};
  void (*saved_handler_)(int) = SIG_DFL;
};

rlim_t size_of(const std::string& path) {
  std::error_code ec;
  auto size = fs::file_size(path, ec);
  return ec ? 0 : static_cast<rlim_t>(size);
}

/// Frames enough to outgrow any file the store has written so far.
std::vector<store::change> big_batch() {
  std::vector<store::change> xs{session("big", 1), line("big", 1, 1)};
  for (uint64_t seq = 1; seq <= 200; ++seq) {
    auto x = frame("big", 1, seq);
    x.bytes = std::make_shared<const std::string>(32 * 1024, 'b');
    xs.emplace_back(std::move(x));
  }
  return xs;
}

} // namespace

TEST_CASE("a failed write returns an error and leaves the store usable") {
  temp_dir dir;
  auto path = dir.file("node.db");
  auto db = open_or_fail(path);
  load_or_fail(*db);
  apply_or_fail(*db, realistic_batch());
  {
    auto largest = std::max(size_of(path), size_of(path + "-wal"));
    file_size_limit limit{largest + 64 * 1024};
    auto err = db->apply(big_batch());
    REQUIRE(err);
    auto text = text_of(err);
    INFO(text);
    CHECK_THAT(text, Catch::StartsWith(path + ": cannot apply 202 changes"));
  }
  // With room again, the same store writes.
  apply_or_fail(*db, {session("after", 1)});
  apply_or_fail(*db, big_batch());
  apply_or_fail(*db, {store::drop_session{"big"}});
  REQUIRE(!db->close_clean());
  db.reset();
  auto loaded = reload(path);
  auto expected = expected_snapshot(true);
  expected.sessions.insert(expected.sessions.begin(),
                           session_record("after", 1));
  check_contents(loaded, expected);
}
