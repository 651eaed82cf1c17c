// STREAM_PART's index: an upload sent again after a resume is taken once,
// whatever part of it reached the node before the drop; a part that skips
// an index ends the upload with ERROR invalid; parts without an index
// (revision 1) count on.

#include <catch2/catch.hpp>

#include "tether/codec/upload.hpp"
#include "tether/tests/support/calls.hpp"
#include "tether/tests/support/test_node.hpp"

using namespace tether;
using namespace std::chrono_literals;
using codec::value;

namespace {

/// The parts of the upload every case sends: 6, of 1 to 6 bytes.
std::vector<value> six_parts() {
  std::vector<value> parts;
  for (size_t i = 1; i <= 6; ++i)
    parts.push_back(value::of(std::string(i, 'x')));
  return parts;
}

/// Reads frames until the REPLY to `id`; every REPLY seen goes to
/// `replies`.
codec::reply until_reply(client::client& c, uint64_t id,
                         std::vector<codec::reply>& replies) {
  while (true) {
    auto r = test::expect<codec::reply>(c);
    replies.push_back(r);
    if (r.id == id)
      return r;
  }
}

} // namespace

TEST_CASE("an upload sent again after a resume at every point is taken once") {
  test::test_node n;
  client::io_thread io;
  auto upload = codec::upload_frames(7, "sys.sink", six_parts());
  REQUIRE(upload.size() == 6); // STREAM, then STREAM_PART 1 to 5
  for (size_t k = 0; k <= upload.size(); ++k) {
    INFO(k << " frames of the upload sent before the drop");
    codec::session s;
    auto c1 = test::with_session(n, io, s);
    if (k > 0) // An empty message would be a protocol error.
      c1->send(std::vector<codec::frame>(upload.begin(), upload.begin() + k));
    // The echo is taken after those frames: they all reached the node.
    c1->send(codec::request{100, "sys.echo", value::of(1)});
    std::vector<codec::reply> replies;
    until_reply(*c1, 100, replies);
    auto last = c1->last_seq();
    c1->abort();

    auto c2 = test::resume(io, n.where(), s, last);
    bool answered = false;
    for (const auto& r : replies)
      answered = answered || r.id == 7;
    // A client sends again what it has no answer to. An id answered and
    // acknowledged (the resume acknowledges up to `last`) is free for a
    // new request: sent again, the upload would rightly run twice. (Its
    // answer can come before the echo's when the whole upload went first.)
    if (!answered) {
      c2->send(upload);
      until_reply(*c2, 7, replies);
    }
    c2->send(codec::request{101, "sys.echo", value::of(2)});
    until_reply(*c2, 101, replies);
    // One answer to the upload, in all, counting each part once.
    size_t answers = 0;
    for (const auto& r : replies)
      if (r.id == 7) {
        ++answers;
        CHECK(test::field<uint64_t>(r.payload, "parts") == 6);
        CHECK(test::field<uint64_t>(r.payload, "bytes") == 21);
      }
    CHECK(answers == 1);
    CHECK(c2->duplicates() == 0);
    CHECK(c2->gaps() == 0);
  }
}

TEST_CASE("a part that skips an index ends the upload with ERROR invalid") {
  test::test_node n;
  client::io_thread io;
  auto c = n.join(io);
  c->send(codec::stream{3, "sys.sink", value::of(std::string{"a"})});
  c->send(codec::stream_part{3, value::of(std::string{"b"}), false, 1});
  c->send(codec::stream_part{3, value::of(std::string{"d"}), true, 3});
  auto e = test::expect<codec::error>(*c);
  CHECK(e.id == 3);
  CHECK(e.code == "invalid");
  // The id is free again, and nothing else came of the upload.
  c->send(codec::request{3, "sys.echo", value::of(9)});
  auto r = test::expect<codec::reply>(*c);
  CHECK(r.id == 3);
  CHECK(r.payload == value::of(9));
}

TEST_CASE("parts without an index count on and a repeated index is ignored") {
  test::test_node n;
  client::io_thread io;
  auto c = n.join(io);
  c->send(codec::stream{4, "sys.sink", value::of(std::string{"a"})});
  c->send(codec::stream_part{4, value::of(std::string{"b"}), false, 0});
  c->send(codec::stream_part{4, value::of(std::string{"b"}), false, 1});
  c->send(codec::stream_part{4, value::of(std::string{"c"}), true, 0});
  auto r = test::expect<codec::reply>(*c);
  CHECK(r.id == 4);
  CHECK(test::field<uint64_t>(r.payload, "parts") == 3);
}
