// SESSION_ATTACH and SESSION_RESUME at a node that does not own the
// session: CLOSE 5 with a redirect to the owner, where the client asks
// again and gets everything.

#include <catch2/catch.hpp>

#include "tether/tests/cluster/cluster_nodes.hpp"
#include "tether/tests/support/calls.hpp"

using namespace tether;
using namespace std::chrono_literals;
using codec::value;

namespace {

/// Sends `frame` on a fresh connection to `at`: the CLOSE it ends with.
codec::close asked_at(client::io_thread& io, const client::endpoint& at,
                      const codec::frame& frame) {
  auto c = test::join(io, at);
  c->send(frame);
  auto closed = c->wait_closed(5s);
  REQUIRE(closed);
  return *closed;
}

} // namespace

TEST_CASE("a resume or an attach at another node than the owner is "
          "redirected to the owner, which replays every frame kept") {
  auto nodes = test::three_nodes();
  client::io_thread io;
  auto owner = test::join(io, nodes[0].where);
  owner->auto_ack(0);
  auto s = owner->open_session();
  REQUIRE(s);
  CHECK(s->session_id.rfind("a.", 0) == 0);
  test::call_ok(*owner, "sys.push",
                test::map_of({{"name", value::of(std::string{"kept"})},
                              {"payload", value::of(7)},
                              {"count", value::of(3)}}));
  for (int i = 0; i < 3; ++i)
    REQUIRE(owner->next(5s));
  CHECK(owner->last_seq() == 4);
  owner->abort(); // Nothing acknowledged: all four frames are kept.

  for (int at : {1, 2}) {
    auto close = asked_at(io, nodes[at].where,
                          codec::session_resume{1, s->stream_token, 0});
    CHECK(close.code == 5);
    CHECK(close.redirect == nodes[0].url);
    close =
        asked_at(io, nodes[at].where, codec::session_attach{1, s->session_key});
    CHECK(close.code == 5);
    CHECK(close.redirect == nodes[0].url);
  }
  // Where the redirect points, the stream resumes with what was kept.
  auto there = client::parse_url(nodes[0].url);
  REQUIRE(there);
  codec::session again;
  // After the REPLY to sys.push (seq 1): the three signals come again.
  auto c = test::resume(io, *there, *s, 1, &again);
  std::vector<std::string> names;
  for (int i = 0; i < 3; ++i) {
    auto f = c->next(5s);
    REQUIRE(f);
    auto sig = std::get_if<codec::signal>(&*f);
    REQUIRE(sig);
    names.push_back(sig->name);
  }
  CHECK(names == std::vector<std::string>{"kept", "kept", "kept"});
  CHECK(test::call_ok(*c, "sys.echo", value::of(1)) == value::of(1));
  CHECK(c->last_seq() == 5);
  CHECK(c->gaps() == 0);
}

TEST_CASE("tokens and keys no node knows get the not-found errors, with no "
          "redirect") {
  auto nodes = test::three_nodes();
  client::io_thread io;
  auto c = test::join(io, nodes[1].where);
  std::string error;
  CHECK_FALSE(c->resume_session("v1.bogus.token", 0, &error));
  CHECK(error == "stream_not_found");
  CHECK_FALSE(c->attach_session("a.nosuchkey", &error));
  CHECK(error == "session_not_found");
  // A key naming a node the cluster does not have.
  CHECK_FALSE(c->attach_session("elsewhere.nosuchkey", &error));
  CHECK(error == "session_not_found");
  CHECK_FALSE(c->closed());
}
