// A node stopped with SIGTERM and started again on the same store resumes
// its sessions and keeps its rooms: nothing is lost.

#include <csignal>

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

namespace {

std::vector<std::string> node_args(const test::temp_dir& dir) {
  return {"--listen=127.0.0.1:0", "--node-name=durable", "--log-level=warning",
          "--data-dir=" + dir.path()};
}

/// What each of the next `n` frames from `c` is (HEARTBEATs skipped):
/// kind and name or request id, to compare two runs.
std::vector<std::string> next_frames(client::client& c, size_t n) {
  std::vector<std::string> seen;
  while (seen.size() < n) {
    auto f = c.next(5s);
    REQUIRE(f);
    if (std::holds_alternative<codec::heartbeat>(*f))
      continue;
    std::string what = to_string(codec::kind_of(*f));
    if (auto x = std::get_if<codec::signal>(&*f))
      what += " " + x->name;
    else if (auto y = std::get_if<codec::reply>(&*f))
      what += " " + std::to_string(y->id);
    seen.push_back(what);
  }
  return seen;
}

} // namespace

TEST_CASE("after SIGTERM and a restart a session resumes with every frame "
          "not acknowledged, and its room keeps members and props") {
  test::temp_dir dir;
  client::io_thread io;
  codec::session s;
  std::string room;
  std::vector<std::string> sent;
  {
    test::child_node node{node_args(dir)};
    auto where = node.listening();
    REQUIRE(where);
    auto c = join(io, *where);
    c->auto_ack(0);
    auto opened = c->open_session();
    REQUIRE(opened);
    s = *opened;
    auto created =
        call_ok(*c, "room.create",
                test::map_of(
                    {{"props", test::map_of({{"topic", value::of("kept")}})}}));
    room = test::field<std::string>(created, "room");
    call_ok(*c, "room.props.incr",
            test::map_of({{"room", value::of(room)}, {"key", value::of("n")}}));
    c->send(
        codec::request{100, "sys.push",
                       test::map_of({{"name", value::of(std::string{"tick"})},
                                     {"payload", value::of(0)},
                                     {"count", value::of(5)}})});
    // room.props (after the REPLY to room.props.incr), REPLY 100 and the
    // five signals: 9 frames in all, none acknowledged.
    sent = next_frames(*c, 7);
    CHECK(c->last_seq() == 9);
    test::stop_cleanly(node, *c);
  }
  test::child_node node{node_args(dir)};
  auto where = node.listening();
  REQUIRE(where);
  // The client read up to seq 3: seqs 4 to 9 come again.
  auto c = test::resume(io, *where, s, 3);
  CHECK(next_frames(*c, 6) ==
        std::vector<std::string>(sent.begin() + 1, sent.end()));
  CHECK(c->last_seq() == 9);
  CHECK(c->gaps() == 0);
  CHECK(c->duplicates() == 0);
  // Numbering goes on after the last frame kept.
  c->send(codec::request{200, "sys.echo", value::of(1)});
  CHECK(next_frames(*c, 1) == std::vector<std::string>{"REPLY 200"});
  CHECK(c->last_seq() == 10);
  auto info =
      call_ok(*c, "room.info", test::map_of({{"room", value::of(room)}}));
  CHECK(test::field<std::vector<std::string>>(info, "members") ==
        std::vector<std::string>{s.session_id});
  CHECK(test::field<std::string>(info, "owner") == s.session_id);
  auto props = codec::lookup(info, "props");
  CHECK(test::field<std::string>(props, "topic") == "kept");
  CHECK(test::field<int64_t>(props, "n") == 1);
}
