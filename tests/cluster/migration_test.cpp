// A session moved to another node keeps its ids, its streams' numbering,
// its kept frames, its requests' exactly-once record and its rooms.

#include <catch2/catch.hpp>

#include "tether/tests/cluster/cluster_nodes.hpp"
#include "tether/tests/support/calls.hpp"
#include "tether/tests/support/http_call.hpp"

using namespace tether;
using namespace std::chrono_literals;
using codec::value;
using test::room_arg;

TEST_CASE("a session migrated with the admin API: the client is sent to the "
          "new node and resumes every frame it had not acknowledged") {
  auto nodes = test::three_nodes();
  client::io_thread io;
  auto c = test::join(io, nodes[0].where);
  c->auto_ack(0);
  auto s = c->open_session();
  REQUIRE(s);
  // A member on c shares a room with it.
  auto other = test::join(io, nodes[2].where);
  REQUIRE(other->open_session());
  auto room = test::field<std::string>(
      test::call_ok(*c, "room.create", value::empty_map()), "room");
  test::call_ok(*other, "room.join", room_arg(room));
  REQUIRE(c->next(5s)); // room.joined
  CHECK(test::call_ok(*c, "sys.echo", value::of(1)) == value::of(1));
  // REPLY to room.create, room.joined, REPLY to sys.echo: none
  // acknowledged.
  CHECK(c->last_seq() == 3);

  // Asked at b, of a session on a, to go to b.
  CHECK(test::migrate_session(nodes[1], s->session_id, "b") == 200);
  auto closed = c->wait_closed(5s);
  REQUIRE(closed);
  CHECK(closed->code == 5);
  CHECK(closed->redirect == nodes[1].url);

  // At b: the same ids, and the two frames after last_seq 1 again.
  codec::session again;
  auto there = client::parse_url(closed->redirect);
  REQUIRE(there);
  auto d = test::resume(io, *there, *s, 1, &again);
  CHECK(again.session_id == s->session_id);
  CHECK(again.session_key == s->session_key);
  auto joined = d->next(5s);
  REQUIRE(joined);
  CHECK(std::holds_alternative<codec::signal>(*joined));
  auto echoed = d->next(5s);
  REQUIRE(echoed);
  REQUIRE(std::holds_alternative<codec::reply>(*echoed));
  CHECK(std::get<codec::reply>(*echoed).payload == value::of(1));
  CHECK(d->last_seq() == 3);
  d->ack();
  // The other member saw it go away with the move and come back.
  for (auto name : {"room.away", "room.back"}) {
    auto e = other->next(5s);
    REQUIRE(e);
    REQUIRE(std::holds_alternative<codec::signal>(*e));
    CHECK(std::get<codec::signal>(*e).name == name);
  }
  // The room reaches it at its new node, and its own broadcast reaches c.
  test::call_ok(*other, "room.broadcast",
                room_arg(room, {{"name", value::of(std::string{"hi"})}}));
  auto f = d->next(5s);
  REQUIRE(f);
  CHECK(std::holds_alternative<codec::room_message>(*f));
  CHECK(test::call_ok(*d, "sys.echo", value::of(2)) == value::of(2));
  CHECK(d->last_seq() == 5);
  CHECK(d->gaps() == 0);
  // Its old token and key are sent to b from every node.
  for (int at : {0, 2}) {
    auto x = test::join(io, nodes[at].where);
    x->send(codec::session_attach{1, s->session_key});
    auto end = x->wait_closed(5s);
    REQUIRE(end);
    CHECK(end->redirect == nodes[1].url);
  }
  // a has no session left; the room still has both members.
  auto info = test::call_ok(*other, "room.info", room_arg(room));
  CHECK(test::field<std::vector<std::string>>(info, "members").size() == 2);
}

TEST_CASE("the admin API refuses what it should") {
  auto nodes = test::three_nodes();
  auto& a = nodes[0];
  CHECK(test::http_call(a.where, "GET", "/api/v1/node").status == 401);
  CHECK(test::http_call(a.where, "GET", "/api/v1/node", "wrong").status == 401);
  auto node =
      test::http_call(a.where, "GET", "/api/v1/node", test::admin_token);
  CHECK(node.status == 200);
  CHECK(node.content_type == "application/json");
  CHECK(node.body.find("\"cluster\"") != std::string::npos);
  CHECK(test::migrate_session(a, "a.nosuchsession", "b") == 404);
  client::io_thread io;
  auto c = test::join(io, a.where);
  auto s = c->open_session();
  REQUIRE(s);
  CHECK(test::migrate_session(a, s->session_id, "nowhere") == 400);
  CHECK(test::http_call(a.where, "POST",
                        "/api/v1/sessions/" + s->session_id + "/migrate",
                        test::admin_token, "not json")
            .status == 400);
  // Still here and serving.
  CHECK(test::call_ok(*c, "sys.echo", value::of(3)) == value::of(3));
}

TEST_CASE("a migrated session is in its new node's store before the old node "
          "lets go: killed right after the move, the new node has it on "
          "restart") {
  test::temp_dir dir;
  // b commits late by itself: only the move's first phase makes it commit.
  auto b_plan = test::node_plan{"b",
                                {},
                                {"--store-flush-ms=5000"},
                                test::cluster_secret,
                                dir.file("b.db")};
  auto a =
      test::start_node({"a", {}, {}, test::cluster_secret, dir.file("a.db")});
  b_plan.joins = {a.address};
  auto b = test::start_node(b_plan);
  REQUIRE(test::await_view(a.where, {"a:up", "b:up"}));
  REQUIRE(test::await_view(b.where, {"a:up", "b:up"}));
  client::io_thread io;
  auto c = test::join(io, a.where);
  auto s = c->open_session();
  REQUIRE(s);
  REQUIRE(test::migrate_session(a, s->session_id, "b") == 200);
  b.process->signal(SIGKILL);
  b.process->wait_exit();
  b = test::start_node(b_plan);
  auto x = test::join(io, b.where);
  std::string error;
  auto again = x->attach_session(s->session_key, &error);
  INFO(error);
  REQUIRE(again);
  CHECK(again->session_id == s->session_id);
}
