// Every row of the admin API's table on one node, over real HTTP, with real
// clients whose sessions and rooms it shows and acts on.

#include <set>

#include "tether/tests/admin/admin_fixture.hpp"

using namespace tether;
using namespace std::chrono_literals;
using codec::value;
using nlohmann::json;

namespace {

/// The next SIGNAL `c` gets; the test fails without one.
codec::signal next_signal(client::client& c) {
  auto f = c.next(5s);
  REQUIRE(f);
  REQUIRE(std::holds_alternative<codec::signal>(*f));
  return std::get<codec::signal>(*f);
}

} // namespace

TEST_CASE("without an admin token every api path and debug answer 404") {
  test::test_node n;
  for (auto path : {"/api/v1/node", "/api/v1/sessions", "/debug"})
    CHECK(test::http_call(n.where(), "GET", path, "anything").status == 404);
  // /metrics needs no token.
  CHECK(test::http_call(n.where(), "GET", "/metrics").status == 200);
}

TEST_CASE_METHOD(test::admin_fixture,
                 "a missing or wrong token gets 401 unauthorized") {
  for (auto t : {"", "wrong", "ops-tokenx"}) {
    auto r = test::http_call(node.where(), "GET", "/api/v1/node", t);
    CHECK(r.status == 401);
    auto body = json::parse(r.body);
    CHECK(body["error"] == "unauthorized");
    CHECK(body["message"].is_string());
  }
  auto [status, body] = api("GET", "/api/v1/nowhere");
  CHECK(status == 404);
  CHECK(body["error"] == "unknown_op");
}

TEST_CASE_METHOD(test::admin_fixture,
                 "GET node names the node and its live counts") {
  auto c = test::join(io, node.where());
  REQUIRE(c->open_session());
  auto [status, body] = api("GET", "/api/v1/node");
  CHECK(status == 200);
  CHECK(body["node"] == node.node().options().node_name);
  CHECK(body["version"] == 1);
  CHECK(body["connections"] == 1);
  CHECK(body["sessions"] == 1);
  CHECK(body["rooms"] == 0);
  REQUIRE(body["cluster"].size() == 1);
  CHECK(body["cluster"][0]["state"] == "up");
  CHECK(body["uptime_s"].is_number_unsigned());
}

TEST_CASE_METHOD(test::admin_fixture,
                 "sessions are listed in pages and shown one by one") {
  std::vector<std::shared_ptr<client::client>> clients;
  std::set<std::string> ids;
  for (int i = 0; i < 5; ++i) {
    clients.push_back(test::join(io, node.where()));
    auto s = clients.back()->open_session(
        codec::map_value{value::map({{"n", value::of(i)}})});
    REQUIRE(s);
    ids.insert(s->session_id);
  }
  auto room = test::field<std::string>(
      test::call_ok(*clients[0], "room.create", value::empty_map()), "room");
  // Pages of two: 2, 2, 1, in id order, `next` naming the last of each.
  std::vector<std::string> seen;
  std::string after;
  for (size_t expected : {2u, 2u, 1u}) {
    auto target =
        "/api/v1/sessions?limit=2" + (after.empty() ? "" : "&after=" + after);
    auto [status, body] = api("GET", target);
    REQUIRE(status == 200);
    REQUIRE(body["sessions"].size() == expected);
    for (const auto& s : body["sessions"]) {
      seen.push_back(s["session"]);
      CHECK(s["node"] == node.node().options().node_name);
      CHECK(s["streams"] == 1);
      CHECK(s["info"].contains("n"));
    }
    if (expected == 1)
      CHECK(body["next"].is_null());
    else
      after = body["next"].get<std::string>();
  }
  CHECK(std::set<std::string>(seen.begin(), seen.end()) == ids);
  CHECK(std::is_sorted(seen.begin(), seen.end()));
  // One of them, with its room.
  auto first = *ids.begin();
  auto [status, one] = api("GET", "/api/v1/sessions/" + first);
  CHECK(status == 200);
  CHECK(one["session"] == first);
  auto owner = test::field<std::string>(
      test::call_ok(*clients[0], "room.info", test::room_arg(room)), "owner");
  auto [s2, creator] = api("GET", "/api/v1/sessions/" + owner);
  CHECK(s2 == 200);
  CHECK(creator["rooms"] == json::array({room}));
  // The default page holds them all.
  auto [s3, all] = api("GET", "/api/v1/sessions");
  CHECK(s3 == 200);
  CHECK(all["sessions"].size() == 5);
  CHECK(all["next"].is_null());
}

TEST_CASE_METHOD(test::admin_fixture,
                 "the sessions API refuses what it should") {
  CHECK(api("GET", "/api/v1/sessions/n.nosuch").first == 404);
  CHECK(api("GET", "/api/v1/sessions/n.nosuch").second["error"] ==
        "session_not_found");
  CHECK(api("DELETE", "/api/v1/sessions/n.nosuch").first == 404);
  CHECK(api("POST", "/api/v1/sessions/n.nosuch/signal", R"({"name":"x"})")
            .first == 404);
  for (auto limit : {"0", "x", "1001", "-1", ""})
    CHECK(api("GET", std::string{"/api/v1/sessions?limit="} + limit)
              .second["error"] == "invalid");
  auto c = test::join(io, node.where());
  auto s = c->open_session();
  REQUIRE(s);
  auto path = "/api/v1/sessions/" + s->session_id;
  CHECK(api("POST", path + "/signal", "not json").first == 400);
  CHECK(api("POST", path + "/signal", R"({"payload": 1})").first == 400);
  CHECK(api("PUT", path).first == 404);
}

TEST_CASE_METHOD(test::admin_fixture,
                 "a signal reaches every stream and a delete closes the "
                 "session") {
  auto c = test::join(io, node.where());
  auto s = c->open_session();
  REQUIRE(s);
  auto d = test::join(io, node.where());
  REQUIRE(d->attach_session(s->session_key));
  auto path = "/api/v1/sessions/" + s->session_id;
  CHECK(api("GET", path).second["streams"] == 2);
  auto [status, body] =
      api("POST", path + "/signal", R"({"name":"notice","payload":{"a":[1]}})");
  CHECK(status == 202);
  for (auto* x : {c.get(), d.get()}) {
    auto sig = next_signal(*x);
    CHECK(sig.name == "notice");
    CHECK(sig.payload == value::map({{"a", value::array({value::of(1)})}}));
  }
  auto r = test::http_call(node.where(), "DELETE", path, test::token);
  CHECK(r.status == 204);
  CHECK(r.body.empty());
  for (auto* x : {c.get(), d.get()}) {
    auto f = x->next(5s);
    REQUIRE(f);
    CHECK(std::holds_alternative<codec::session_closed>(*f));
  }
  CHECK(api("GET", path).first == 404);
  // The connections stay, without a session.
  CHECK(test::call_ok(*c, "sys.echo", value::of(7)) == value::of(7));
}

TEST_CASE_METHOD(test::admin_fixture,
                 "rooms are made listed shown broadcast to and deleted") {
  auto [status, made] = api(
      "POST", "/api/v1/rooms",
      R"({"type":"lobby","max_members":3,"ttl_s":60,"props":{"topic":"x"}})");
  REQUIRE(status == 201);
  std::string room = made["room"];
  CHECK(api("POST", "/api/v1/rooms", "").first == 201); // All optional.
  auto c = test::join(io, node.where());
  REQUIRE(c->open_session());
  test::call_ok(*c, "room.join", test::room_arg(room));
  // Listed: two rooms, one per page.
  auto [s1, page] = api("GET", "/api/v1/rooms?limit=1");
  REQUIRE(s1 == 200);
  REQUIRE(page["rooms"].size() == 1);
  REQUIRE(page["next"].is_string());
  auto [s2, rest] = api("GET", "/api/v1/rooms?limit=1&after=" +
                                   page["next"].get<std::string>());
  REQUIRE(rest["rooms"].size() == 1);
  CHECK(rest["next"].is_null());
  auto listed =
      page["rooms"][0]["room"] == room ? page["rooms"][0] : rest["rooms"][0];
  CHECK(listed["room"] == room);
  CHECK(listed["type"] == "lobby");
  CHECK(listed["members"] == 1);
  CHECK(listed["max_members"] == 3);
  CHECK(listed["node"] == node.node().options().node_name);
  // Shown as room.info shows it, plus its node.
  auto [s3, info] = api("GET", "/api/v1/rooms/" + room);
  CHECK(s3 == 200);
  CHECK(info["members"].size() == 1);
  CHECK(info["props"]["topic"] == "x");
  CHECK(info["owner"] == info["members"][0]);
  CHECK(info["node"] == node.node().options().node_name);
  // A broadcast from the node: `from` empty.
  CHECK(api("POST", "/api/v1/rooms/" + room + "/broadcast",
            R"({"name":"news","payload":"hello"})")
            .first == 202);
  auto f = c->next(5s);
  REQUIRE(f);
  REQUIRE(std::holds_alternative<codec::room_message>(*f));
  auto& m = std::get<codec::room_message>(*f);
  CHECK(m.name == "news");
  CHECK(m.from.empty());
  CHECK(m.payload == value::of(std::string{"hello"}));
  // Deleted: the member is told, the room is gone.
  CHECK(test::http_call(node.where(), "DELETE", "/api/v1/rooms/" + room,
                        test::token)
            .status == 204);
  auto deleted = next_signal(*c);
  CHECK(deleted.name == "room.deleted");
  CHECK(api("GET", "/api/v1/rooms/" + room).first == 404);
  CHECK(api("GET", "/api/v1/rooms/" + room).second["error"] ==
        "room_not_found");
}

TEST_CASE_METHOD(test::admin_fixture, "the rooms API refuses what it should") {
  CHECK(api("DELETE", "/api/v1/rooms/r.x.nosuch").first == 404);
  CHECK(api("POST", "/api/v1/rooms/r.x.nosuch/broadcast", R"({"name":"a"})")
            .first == 404);
  CHECK(
      api("POST", "/api/v1/rooms/r.x.nosuch/migrate", R"({"to":"b"})").first ==
      404);
  auto [status, body] = api("POST", "/api/v1/rooms", R"({"max_members":0})");
  CHECK(status == 400);
  CHECK(body["error"] == "invalid");
  CHECK(body["message"].get<std::string>().find("max_members") !=
        std::string::npos);
  CHECK(api("POST", "/api/v1/rooms", "[1]").first == 400);
  auto room = api("POST", "/api/v1/rooms").second["room"].get<std::string>();
  CHECK(api("POST", "/api/v1/rooms/" + room + "/broadcast", "{}").first == 400);
  CHECK(api("POST", "/api/v1/rooms/" + room + "/migrate", "{}").first == 400);
  CHECK(api("POST", "/api/v1/rooms/" + room + "/migrate", R"({"to":"nowhere"})")
            .first == 400);
}

TEST_CASE_METHOD(test::admin_fixture,
                 "a migrate to the node itself answers at once") {
  auto c = test::join(io, node.where());
  auto s = c->open_session();
  REQUIRE(s);
  auto self = node.node().options().node_name;
  auto [status, body] =
      api("POST", "/api/v1/sessions/" + s->session_id + "/migrate",
          json{{"to", self}}.dump());
  CHECK(status == 200);
  CHECK(body == json{{"session", s->session_id}, {"node", self}});
}
