// tetherctl run as a process against a node: tables by default, the
// node's JSON with --json, and its exit codes.

#include <cstdio>
#include <sys/wait.h>

#include "tether/tests/admin/admin_fixture.hpp"

using namespace tether;
using namespace std::chrono_literals;
using nlohmann::json;

namespace {

struct run_result {
  int code = -1;
  std::string out;
};

/// Runs tetherctl with `args` (and stderr into its output), with the
/// environment variables `env` ("NAME=VALUE ...") set.
run_result tetherctl(const std::string& args, const std::string& env = {}) {
  auto command = "env -u TETHER_URL -u TETHER_TOKEN " + env + " " +
                 std::string{TETHERCTL_PATH} + " " + args + " 2>&1";
  run_result r;
  FILE* pipe = ::popen(command.c_str(), "r");
  REQUIRE(pipe);
  char buf[4096];
  size_t n = 0;
  while ((n = std::fread(buf, 1, sizeof(buf), pipe)) > 0)
    r.out.append(buf, n);
  auto status = ::pclose(pipe);
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

} // namespace

TEST_CASE_METHOD(test::admin_fixture,
                 "tetherctl shows and acts on a node as tables and as json") {
  auto url = "--url http://127.0.0.1:" + std::to_string(node.where().port) +
             " --token " + test::token + " ";
  auto c = test::join(io, node.where());
  auto s = c->open_session();
  REQUIRE(s);
  auto room = test::field<std::string>(
      test::call_ok(*c, "room.create", codec::value::empty_map()), "room");
  auto name = node.node().options().node_name;

  auto nodes = tetherctl(url + "nodes");
  CHECK(nodes.code == 0);
  CHECK(nodes.out.find("NODE") != std::string::npos);
  CHECK(nodes.out.find(name) != std::string::npos);
  CHECK(nodes.out.find("1 sessions") != std::string::npos);
  auto as_json = tetherctl(url + "--json nodes");
  CHECK(as_json.code == 0);
  CHECK(json::parse(as_json.out)["sessions"] == 1);

  auto sessions = tetherctl(url + "sessions");
  CHECK(sessions.code == 0);
  CHECK(sessions.out.find("SESSION") != std::string::npos);
  CHECK(sessions.out.find(s->session_id) != std::string::npos);
  CHECK(sessions.out.find("1 sessions") != std::string::npos);
  auto page = json::parse(tetherctl(url + "--json sessions").out);
  CHECK(page["sessions"][0]["session"] == s->session_id);
  auto one = tetherctl(url + "sessions " + s->session_id);
  CHECK(one.code == 0);
  CHECK(one.out.find(room) != std::string::npos);

  auto rooms = json::parse(tetherctl(url + "--json rooms").out);
  CHECK(rooms["rooms"][0]["room"] == room);
  CHECK(rooms["rooms"][0]["members"] == 1);

  auto published = tetherctl(url + "publish " + room + " news '{\"a\":1}'");
  CHECK(published.code == 0);
  auto f = c->next(5s);
  REQUIRE(f);
  CHECK(std::holds_alternative<codec::room_message>(*f));

  CHECK(tetherctl(url + "signal " + s->session_id + " ping").code == 0);
  f = c->next(5s);
  REQUIRE(f);
  REQUIRE(std::holds_alternative<codec::signal>(*f));
  CHECK(std::get<codec::signal>(*f).name == "ping");

  CHECK(tetherctl(url + "kick " + s->session_id).code == 0);
  f = c->next(5s);
  REQUIRE(f);
  CHECK(std::holds_alternative<codec::session_closed>(*f));
}

TEST_CASE_METHOD(test::admin_fixture, "tetherctl exit codes tell what failed") {
  auto port = std::to_string(node.where().port);
  auto help = tetherctl("--help");
  CHECK(help.code == 0);
  CHECK(help.out.find("Exit codes") != std::string::npos);
  // The node refused: a wrong token, an unknown session.
  auto wrong =
      tetherctl("--url http://127.0.0.1:" + port + " --token nope nodes");
  CHECK(wrong.code == 1);
  CHECK(wrong.out.find("unauthorized") != std::string::npos);
  auto missing = tetherctl("--url http://127.0.0.1:" + port + " --token " +
                           test::token + " sessions n.nosuch");
  CHECK(missing.code == 1);
  CHECK(missing.out.find("session_not_found") != std::string::npos);
  // A wrong command line.
  CHECK(tetherctl("--url http://127.0.0.1:" + port + " frobnicate").code == 2);
  CHECK(tetherctl("--url ftp://x nodes").code == 2);
  // Nobody there: port 1 on loopback refuses.
  auto away = tetherctl("--url http://127.0.0.1:1 --token x nodes");
  CHECK(away.code == 3);
  CHECK(away.out.find("cannot connect") != std::string::npos);
  // The environment stands in for the options.
  auto env = tetherctl("--json nodes", "TETHER_URL=http://127.0.0.1:" + port +
                                           " TETHER_TOKEN=" + test::token);
  CHECK(env.code == 0);
  CHECK(json::parse(env.out)["node"] == node.node().options().node_name);
}
