// The admin API of a cluster: any node answers for the sessions and rooms
// of every node. One cluster serves every case here.

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "tether/tests/cluster/cluster_nodes.hpp"
#include "tether/tests/support/calls.hpp"
#include "tether/tests/support/http_call.hpp"

using namespace tether;
using namespace std::chrono_literals;
using codec::value;
using nlohmann::json;

namespace {

/// The three nodes the cases share, started by the first that needs them.
std::vector<test::cluster_node>& shared_nodes() {
  static auto nodes = test::three_nodes();
  return nodes;
}

std::pair<unsigned, json> api(const test::cluster_node& at,
                              const std::string& method,
                              const std::string& target,
                              const std::string& body = {}) {
  auto r = test::http_call(at.where, method, target, test::admin_token, body);
  INFO(at.name << ": " << method << " " << target << " -> " << r.status << " "
               << r.body);
  return {r.status,
          r.body.empty() ? json{} : json::parse(r.body, nullptr, false)};
}

} // namespace

TEST_CASE("every node lists and shows the sessions of the whole cluster") {
  auto& nodes = shared_nodes();
  client::io_thread io;
  auto on_a = test::join(io, nodes[0].where);
  auto on_c = test::join(io, nodes[2].where);
  auto sa = on_a->open_session();
  auto sc = on_c->open_session();
  REQUIRE(sa);
  REQUIRE(sc);
  for (const auto& at : nodes) {
    // Every session, from every node, in id order.
    auto [status, all] = api(at, "GET", "/api/v1/sessions?limit=1000");
    REQUIRE(status == 200);
    std::map<std::string, std::string> where;
    for (const auto& s : all["sessions"])
      where[s["session"]] = s["node"];
    CHECK(where[sa->session_id] == "a");
    CHECK(where[sc->session_id] == "c");
    // Pages of one cross the nodes.
    std::vector<std::string> paged;
    std::string after;
    do {
      auto [s2, page] = api(at, "GET",
                            "/api/v1/sessions?limit=1" +
                                (after.empty() ? "" : "&after=" + after));
      REQUIRE(s2 == 200);
      REQUIRE(page["sessions"].size() <= 1);
      for (const auto& s : page["sessions"])
        paged.push_back(s["session"]);
      after = page["next"].is_string() ? page["next"].get<std::string>() : "";
    } while (!after.empty());
    CHECK(paged.size() == all["sessions"].size());
    CHECK(std::is_sorted(paged.begin(), paged.end()));
    // One of another node, shown here.
    auto [s3, one] = api(at, "GET", "/api/v1/sessions/" + sc->session_id);
    CHECK(s3 == 200);
    CHECK(one["node"] == "c");
  }
  // A signal and a delete asked at b reach the session on c.
  CHECK(api(nodes[1], "POST", "/api/v1/sessions/" + sc->session_id + "/signal",
            R"({"name":"hello"})")
            .first == 202);
  auto f = on_c->next(5s);
  REQUIRE(f);
  REQUIRE(std::holds_alternative<codec::signal>(*f));
  CHECK(std::get<codec::signal>(*f).name == "hello");
  CHECK(api(nodes[1], "DELETE", "/api/v1/sessions/" + sc->session_id).first ==
        204);
  f = on_c->next(5s);
  REQUIRE(f);
  CHECK(std::holds_alternative<codec::session_closed>(*f));
  CHECK(api(nodes[0], "GET", "/api/v1/sessions/" + sc->session_id).first ==
        404);
  CHECK(api(nodes[0], "GET", "/api/v1/sessions/c.nosuch").first == 404);
}

TEST_CASE("every node shows and deletes the rooms of the whole cluster") {
  auto& nodes = shared_nodes();
  client::io_thread io;
  auto on_b = test::join(io, nodes[1].where);
  REQUIRE(on_b->open_session());
  auto room = test::field<std::string>(
      test::call_ok(*on_b, "room.create", value::empty_map()), "room");
  // A room made by node c through its API.
  auto [made, x] = api(nodes[2], "POST", "/api/v1/rooms", R"({"type":"t"})");
  REQUIRE(made == 201);
  std::string empty_room = x["room"];
  for (const auto& at : nodes) {
    auto [status, info] = api(at, "GET", "/api/v1/rooms/" + room);
    CHECK(status == 200);
    CHECK(info["node"] == "b");
    CHECK(info["members"].size() == 1);
    auto [s2, all] = api(at, "GET", "/api/v1/rooms");
    REQUIRE(s2 == 200);
    std::map<std::string, json> listed;
    for (const auto& r : all["rooms"])
      listed[r["room"]] = r;
    CHECK(listed[room]["node"] == "b");
    CHECK(listed[room]["members"] == 1);
    CHECK(listed[empty_room]["node"] == "c");
    CHECK(listed[empty_room]["type"] == "t");
  }
  // Broadcast and delete asked at a, of b's room.
  CHECK(api(nodes[0], "POST", "/api/v1/rooms/" + room + "/broadcast",
            R"({"name":"n","payload":1})")
            .first == 202);
  auto f = on_b->next(5s);
  REQUIRE(f);
  CHECK(std::holds_alternative<codec::room_message>(*f));
  CHECK(api(nodes[0], "DELETE", "/api/v1/rooms/" + room).first == 204);
  f = on_b->next(5s);
  REQUIRE(f);
  REQUIRE(std::holds_alternative<codec::signal>(*f));
  CHECK(std::get<codec::signal>(*f).name == "room.deleted");
  CHECK(api(nodes[2], "GET", "/api/v1/rooms/" + room).first == 404);
  CHECK(api(nodes[1], "DELETE", "/api/v1/rooms/" + empty_room).first == 204);
}

TEST_CASE("metrics of a cluster count its nodes and the moves") {
  auto& nodes = shared_nodes();
  client::io_thread io;
  auto c = test::join(io, nodes[0].where);
  auto s = c->open_session();
  REQUIRE(s);
  CHECK(test::migrate_session(nodes[2], s->session_id, "b") == 200);
  // The move's 200 can come before the old node has counted it.
  auto has = [&](const std::string& line) {
    auto m = test::http_call(nodes[0].where, "GET", "/metrics");
    return m.status == 200 && m.body.find(line) != std::string::npos;
  };
  CHECK(has("tether_cluster_nodes{state=\"up\"} 3"));
  CHECK(test::eventually([&] {
    return has("tether_migrations_total{kind=\"session\",outcome=\"ok\"} 1");
  }));
}
