// Nodes find each other from any one they join, see one go, take it back
// when it returns, and refuse a node of another cluster.

#include <csignal>
#include <cstdio>
#include <cstdlib>

#include <catch2/catch.hpp>

#include "tether/tests/cluster/cluster_nodes.hpp"
#include "tether/tests/support/calls.hpp"

using namespace tether;
using namespace std::chrono_literals;

TEST_CASE("a node that joins one member learns every member, and each sees "
          "the others up with their client URLs") {
  auto nodes = test::three_nodes();
  // c joined b only, and still knows a (and a knows c).
  client::io_thread io;
  auto c = test::join(io, nodes[0].where);
  auto info = test::call_ok(*c, "sys.info", codec::value{});
  auto handle = codec::lookup(info, "cluster").unpack();
  auto list =
      handle.get().as<std::vector<std::map<std::string, std::string>>>();
  REQUIRE(list.size() == 3);
  std::map<std::string, std::string> urls;
  for (auto& n : list)
    urls[n.at("node")] = n.at("url");
  for (const auto& n : nodes)
    CHECK(urls[n.name] == n.url);
}

TEST_CASE("a node of another cluster (another secret) is refused, both "
          "ways") {
  auto a = test::start_node({"a", {}, {}, test::cluster_secret, {}});
  auto stranger =
      test::start_node({"z", {a.address}, {}, std::string(64, 'b'), {}});
  CHECK(test::eventually(
      [&] {
        return a.process->error_output().find("refused node 'z'") !=
                   std::string::npos ||
               stranger.process->error_output().find("another cluster") !=
                   std::string::npos;
      },
      5s));
  CHECK(test::cluster_view(a.where) == std::vector<std::string>{"a:up"});
  CHECK(test::cluster_view(stranger.where) == std::vector<std::string>{"z:up"});
}

namespace {

/// Whether the store file `path` answers `query` (a count) with more than
/// zero, read with the sqlite3 CLI beside the node that writes it.
bool saved(const std::string& path, const std::string& query) {
  auto command = "sqlite3 -readonly '" + path + "' \"" + query + "\"";
  auto* out = ::popen(command.c_str(), "r");
  if (!out)
    return false;
  char line[64] = {};
  bool any = std::fgets(line, sizeof line, out) && std::atoi(line) > 0;
  ::pclose(out);
  return any;
}

} // namespace

TEST_CASE("a node killed is down at the others within seconds while they "
          "serve on, and up again with its sessions and rooms once it "
          "restarts from its store and rejoins") {
  test::temp_dir dir;
  auto nodes = test::three_nodes(&dir);
  client::io_thread io;
  // c owns a session and a room; a has a client too.
  auto at_c = test::join(io, nodes[2].where);
  auto s = at_c->open_session();
  REQUIRE(s);
  auto room = test::field<std::string>(
      test::call_ok(*at_c, "room.create", codec::value::empty_map()), "room");
  auto at_a = test::join(io, nodes[0].where);
  REQUIRE(at_a->open_session());
  // Killed once its store has both.
  auto file = dir.file("c.db");
  REQUIRE(test::eventually(
      [&] {
        return saved(file, "select count(*) from sessions where id = '" +
                               s->session_id + "'") &&
               saved(file, "select count(*) from room_members where room = '" +
                               room + "'");
      },
      5s));
  nodes[2].process->signal(SIGKILL);
  nodes[2].process->wait_exit();
  for (int i = 0; i < 2; ++i)
    CHECK(test::await_view(nodes[i].where, {"a:up", "b:up", "c:down"}, 5s));
  // The others serve on; c's room is not found meanwhile.
  CHECK(test::call_ok(*at_a, "sys.echo", codec::value::of(1)) ==
        codec::value::of(1));
  CHECK(test::call(*at_a, "room.info", test::room_arg(room)).code ==
        "room_not_found");

  // Back from its store, on new ports: it rejoins through a.
  nodes[2] = test::start_node(
      {"c", {nodes[0].address}, {}, test::cluster_secret, file});
  for (const auto& n : nodes)
    CHECK(test::await_view(n.where, {"a:up", "b:up", "c:up"}));
  // Its room answers at a again, its session is found from a.
  auto info = test::call_ok(*at_a, "room.info", test::room_arg(room));
  CHECK(test::field<std::vector<std::string>>(info, "members") ==
        std::vector<std::string>{s->session_id});
  auto x = test::join(io, nodes[0].where);
  x->send(codec::session_attach{1, s->session_key});
  auto sent = x->wait_closed(5s);
  REQUIRE(sent);
  CHECK(sent->code == 5);
  CHECK(sent->redirect == nodes[2].url);
  auto there = test::join(io, nodes[2].where);
  auto again = there->attach_session(s->session_key);
  REQUIRE(again);
  CHECK(again->session_id == s->session_id);
}
