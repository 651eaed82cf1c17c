// Store files the node must not use (not SQLite, someone else's database,
// a newer schema, one another node holds): it says why, exits 2 and leaves
// the file as it was. And writes that fail while it runs: it serves on and
// says so in sys.info.

#include <csignal>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>

#include <sqlite3.h>

#include <catch2/catch.hpp>

#include "tether/tests/support/calls.hpp"
#include "tether/tests/support/child_node.hpp"
#include "tether/tests/support/test_node.hpp"

using namespace tether;
using test::call;
using test::call_ok;
using test::join;
using namespace std::chrono_literals;
using codec::value;
namespace fs = std::filesystem;

namespace {

std::vector<std::string> node_args(const std::string& data_dir,
                                   std::vector<std::string> more = {}) {
  std::vector<std::string> args{"--listen=127.0.0.1:0", "--node-name=files",
                                "--log-level=warning",
                                "--data-dir=" + data_dir};
  args.insert(args.end(), more.begin(), more.end());
  return args;
}

test::child_options with_log() {
  test::child_options x;
  x.capture_stderr = true;
  return x;
}

std::string read_bytes(const std::string& path) {
  std::ifstream in{path, std::ios::binary};
  REQUIRE(in);
  return {std::istreambuf_iterator<char>{in}, std::istreambuf_iterator<char>{}};
}

void write_bytes(const std::string& path, const std::string& bytes) {
  std::ofstream out{path, std::ios::binary | std::ios::trunc};
  out << bytes;
  REQUIRE(out.good());
}

std::string random_bytes(size_t n, uint32_t seed) {
  std::mt19937 rng{seed};
  std::string out(n, '\0');
  for (auto& c : out)
    c = static_cast<char>(rng() & 0xff);
  return out;
}

/// Runs `sql` on a SQLite database at `path` (made if missing).
void run_sql(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
  char* message = nullptr;
  auto rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &message);
  std::string text = message ? message : "";
  sqlite3_free(message);
  sqlite3_close(db);
  INFO(sql << ": " << text);
  REQUIRE(rc == SQLITE_OK);
}

std::vector<std::string> sqlite_sidecars(const std::string& store) {
  std::vector<std::string> found;
  for (const char* suffix : {"-wal", "-shm", "-journal"})
    if (fs::exists(store + suffix))
      found.push_back(store + suffix);
  return found;
}

/// Starts a node with `args` that must refuse the store file `store`: it
/// never listens, exits 2, names the file on stderr, and the file is
/// byte for byte what it was, with nothing of SQLite's beside it.
void expect_refused(const std::vector<std::string>& args,
                    const std::string& store, bool no_sidecars = true) {
  auto before = read_bytes(store);
  auto sidecars = sqlite_sidecars(store);
  test::child_node node{args, with_log()};
  auto line = node.next_line(10s);
  auto code = node.wait_exit(10s);
  auto log = node.error_output();
  INFO("stdout: " << line);
  INFO("stderr: " << log);
  REQUIRE(code);
  CHECK(*code == 2);
  CHECK(line.empty());
  CHECK(log.find(store) != std::string::npos);
  CHECK(read_bytes(store) == before);
  if (no_sidecars)
    CHECK(sqlite_sidecars(store) == sidecars);
}

std::string store_health(client::client& c) {
  return test::field<std::string>(call_ok(c, "sys.info", {}), "store");
}

/// sys.echo answers `payload` (the test fails otherwise).
void echoes(client::client& c, const codec::value& payload) {
  CHECK(call_ok(c, "sys.echo", payload) == payload);
}

} // namespace

TEST_CASE("a store file that is not a Tether store: the node exits 2 and "
          "leaves it untouched") {
  test::temp_dir dir;
  auto store = dir.file("store.db");
  SECTION("random bytes at the default path") {
    write_bytes(store, random_bytes(8192, 1));
    expect_refused(node_args(dir.path()), store);
  }
  SECTION("a text file named with --store") {
    store = dir.file("notes.txt");
    write_bytes(store, "these are my notes, not a database\n");
    expect_refused(node_args(dir.path(), {"--store=" + store}), store);
  }
  SECTION("SQLite's header and then garbage") {
    write_bytes(store, std::string{"SQLite format 3", 16} +
                           random_bytes(4096 - 16, 2));
    expect_refused(node_args(dir.path()), store);
  }
  SECTION("another program's SQLite database") {
    run_sql(store, "CREATE TABLE accounts(id INTEGER PRIMARY KEY, name TEXT);"
                   "INSERT INTO accounts(name) VALUES ('alice');");
    expect_refused(node_args(dir.path()), store);
    CHECK(sqlite_sidecars(store).empty());
  }
}

TEST_CASE("a store of a newer schema: the node exits 2 and leaves it "
          "untouched") {
  test::temp_dir dir;
  auto store = dir.file("store.db");
  SECTION("rollback journal") {
    run_sql(store, "CREATE TABLE sessions(id TEXT PRIMARY KEY, future BLOB);"
                   "INSERT INTO sessions VALUES ('s1', x'00ff');"
                   "PRAGMA user_version = 99;");
    expect_refused(node_args(dir.path()), store);
    CHECK(sqlite_sidecars(store).empty());
  }
  SECTION("WAL mode, as a newer node would leave it") {
    run_sql(store, "PRAGMA journal_mode = WAL;"
                   "CREATE TABLE sessions(id TEXT PRIMARY KEY, future BLOB);"
                   "INSERT INTO sessions VALUES ('s1', x'00ff');"
                   "PRAGMA user_version = 2;");
    expect_refused(node_args(dir.path()), store, false);
    // Reading a WAL database makes SQLite's -wal and -shm beside it; what
    // counts is that nothing was written to them.
    if (fs::exists(store + "-wal"))
      CHECK(fs::file_size(store + "-wal") == 0);
  }
}

TEST_CASE("two nodes on one store: the second exits 2, the first serves on, "
          "and once it stopped, a node starts on the store again") {
  test::temp_dir dir;
  test::temp_dir other;
  auto store = dir.file("shared.db");
  client::io_thread io;
  codec::session s;
  {
    test::child_node first{node_args(dir.path(), {"--store=" + store})};
    auto where = first.listening();
    REQUIRE(where);
    auto c = join(io, *where);
    c->auto_ack(0);
    auto opened = c->open_session();
    REQUIRE(opened);
    s = *opened;
    echoes(*c, value::of(1));
    REQUIRE(fs::exists(store));
    {
      // Its own data dir (its own secret), the same store file.
      test::child_node second{node_args(other.path(), {"--store=" + store}),
                              with_log()};
      auto line = second.next_line(10s);
      auto code = second.wait_exit(10s);
      auto log = second.error_output();
      INFO("stdout: " << line);
      INFO("stderr: " << log);
      REQUIRE(code);
      CHECK(*code == 2);
      CHECK(line.empty());
      CHECK(log.find(store) != std::string::npos);
      CHECK(log.find("in use") != std::string::npos);
    }
    // The first node did not notice: its client, a new one, its store.
    echoes(*c, value::of(2));
    auto c2 = join(io, *where);
    echoes(*c2, value::of(3));
    CHECK(store_health(*c2) == "ok");
    test::stop_cleanly(first, *c);
  }
  test::child_node again{node_args(dir.path(), {"--store=" + store})};
  auto where = again.listening();
  REQUIRE(where);
  auto c = test::resume(io, *where, s, 0);
  // The two echoes of the first node come again.
  CHECK(test::expect<codec::reply>(*c).payload == value::of(1));
  CHECK(test::expect<codec::reply>(*c).payload == value::of(2));
  // Acknowledged, their request ids are free again for this new client.
  c->ack();
  echoes(*c, value::of(4));
}

TEST_CASE("writes that fail (a file size limit): the node serves on, "
          "sys.info says the store is failing, and ok once writes succeed") {
  test::temp_dir dir;
  auto store = dir.file("store.db");
  {
    // A store as a first run leaves it.
    test::child_node first{node_args(dir.path())};
    auto where = first.listening();
    REQUIRE(where);
    client::io_thread io;
    echoes(*join(io, *where), value::of(0));
    first.signal(SIGTERM);
    REQUIRE(first.wait_exit() == 0);
  }
  REQUIRE(fs::exists(store));
  uint64_t size = fs::file_size(store);
  for (const auto& f : sqlite_sidecars(store))
    size = std::max<uint64_t>(size, fs::file_size(f));
  test::child_options opts = with_log();
  // Room to start (a few pages), not for the frames below.
  opts.file_size_limit = size + 64 * 1024;
  client::io_thread io;
  codec::session s;
  std::vector<value> payloads;
  {
    test::child_node node{node_args(dir.path()), opts};
    auto where = node.listening();
    INFO("stderr: " << node.error_output());
    REQUIRE(where);
    auto info = join(io, *where);
    CHECK(store_health(*info) == "ok");
    auto c = join(io, *where);
    c->auto_ack(0);
    auto opened = c->open_session();
    REQUIRE(opened);
    s = *opened;
    // Answers kept until acknowledged: 1.6 MB the store cannot write.
    for (uint32_t i = 0; i < 8; ++i) {
      auto bytes = random_bytes(200 * 1024, 10 + i);
      payloads.push_back(
          value::of(std::vector<char>(bytes.begin(), bytes.end())));
      echoes(*c, payloads.back());
    }
    CHECK(test::eventually([&] { return store_health(*info) == "failing"; }));
    CHECK(node.error_output().find("commit failed") != std::string::npos);
    // Serving on: the session, a connection without one, a new session, a
    // resume.
    echoes(*c, value::of(1));
    echoes(*info, value::of(2));
    auto other = join(io, *where);
    REQUIRE(other->open_session());
    echoes(*other, value::of(3));
    auto created = call_ok(*other, "room.create", test::map_of({}));
    auto room = test::field<std::string>(created, "room");
    call_ok(*other, "room.props.set",
            test::map_of({{"room", value::of(room)},
                          {"props", test::map_of({{"k", value::of(1)}})}}));
    c->abort();
    codec::session resumed;
    auto back = test::resume(io, *where, s, 0, &resumed);
    // The 8 big answers and the small one come again.
    for (size_t i = 0; i < payloads.size(); ++i)
      CHECK(test::expect<codec::reply>(*back).payload == payloads[i]);
    CHECK(test::expect<codec::reply>(*back).payload == value::of(1));
    CHECK(back->gaps() == 0);
    CHECK(store_health(*info) == "failing");
    // Writes succeed again: the store catches up.
    REQUIRE(node.limit_file_size(std::nullopt));
    CHECK(test::eventually([&] { return store_health(*info) == "ok"; }));
    s.stream_token = resumed.stream_token;
    test::stop_cleanly(node, *back);
  }
  // Nothing was lost: after a restart the stream resumes with every frame.
  test::child_node node{node_args(dir.path())};
  auto where = node.listening();
  REQUIRE(where);
  auto c = test::resume(io, *where, s, 0);
  for (size_t i = 0; i < payloads.size(); ++i)
    CHECK(test::expect<codec::reply>(*c).payload == payloads[i]);
  CHECK(test::expect<codec::reply>(*c).payload == value::of(1));
  CHECK(c->gaps() == 0);
  // Acknowledged, their request ids are free again for this new client.
  c->ack();
  echoes(*c, value::of(4));
}
