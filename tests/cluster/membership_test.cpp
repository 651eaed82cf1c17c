// Nodes find each other from any one they join, see one go, take it back
// when it returns, and refuse a node of another cluster.

#include <csignal>

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

TEST_CASE("a node killed is down at the others within seconds, and up again "
          "once it restarts and rejoins") {
  test::temp_dir dir;
  auto nodes = test::three_nodes(&dir);
  nodes[2].process->signal(SIGKILL);
  nodes[2].process->wait_exit();
  for (int i = 0; i < 2; ++i)
    CHECK(test::await_view(nodes[i].where, {"a:up", "b:up", "c:down"}, 5s));
  // Back from its store, on new ports: it rejoins through a.
  nodes[2] = test::start_node(
      {"c", {nodes[0].address}, {}, test::cluster_secret, dir.file("c.db")});
  for (const auto& n : nodes)
    CHECK(test::await_view(n.where, {"a:up", "b:up", "c:up"}));
}
