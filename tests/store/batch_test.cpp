// The batch of changes waiting for a commit: order kept, frames
// acknowledged before their commit never written.

#include <catch2/catch.hpp>

#include "tether/store/batch.hpp"

using namespace tether;

namespace {

store::keep_frame frame(const std::string& session, uint64_t line,
                        uint64_t seq) {
  store::keep_frame x;
  x.session = session;
  x.line = line;
  x.seq = seq;
  x.bytes = std::make_shared<const std::string>("f" + std::to_string(seq));
  return x;
}

/// The kept seqs of a batch's frames, in order.
std::vector<uint64_t> kept_seqs(const std::vector<store::change>& xs) {
  std::vector<uint64_t> seqs;
  for (const auto& x : xs)
    if (auto k = std::get_if<store::keep_frame>(&x))
      seqs.push_back(k->seq);
  return seqs;
}

} // namespace

TEST_CASE("a batch gives its changes back in order and is empty after") {
  store::batch b;
  b.add(store::put_session{"s", "k", codec::value::empty_map(), 1});
  b.add(frame("s", 1, 1));
  b.add(store::session_idle{"s", 5});
  CHECK(b.size() == 3);
  auto xs = b.take();
  REQUIRE(xs.size() == 3);
  CHECK(std::holds_alternative<store::put_session>(xs[0]));
  CHECK(std::holds_alternative<store::keep_frame>(xs[1]));
  CHECK(std::holds_alternative<store::session_idle>(xs[2]));
  CHECK(b.empty());
  CHECK(b.take().empty());
}

TEST_CASE("a frame saved again under its seq replaces the waiting one") {
  // A `latest` room message takes an unwritten frame's seq: the older
  // bytes are never written, and an ACK still cancels it.
  store::batch b;
  for (uint64_t seq = 1; seq <= 4; ++seq)
    b.add(frame("s", 1, seq));
  auto newer = frame("s", 1, 2);
  newer.bytes = std::make_shared<const std::string>("newer");
  b.add(newer);
  CHECK(b.size() == 4);
  b.add(store::ack_frames{"s", 1, 2});
  auto xs = b.take();
  CHECK(kept_seqs(xs) == std::vector<uint64_t>{3, 4});
  b.add(frame("s", 1, 5));
  b.add(newer);
  b.add(frame("s", 1, 6));
  xs = b.take();
  CHECK(kept_seqs(xs) == std::vector<uint64_t>{5, 2, 6});
}

TEST_CASE("frames acknowledged before their commit are never written") {
  store::batch b;
  for (uint64_t seq = 1; seq <= 5; ++seq)
    b.add(frame("s", 1, seq));
  b.add(frame("s", 2, 1)); // Another line of the same session.
  b.add(store::ack_frames{"s", 1, 3});
  CHECK(b.size() == 4); // Frames 4, 5, the other line's and the ACK.
  auto xs = b.take();
  CHECK(kept_seqs(xs) == std::vector<uint64_t>{4, 5, 1});
  // The ACK stays: it moves the line's acked seq in the store.
  CHECK(std::holds_alternative<store::ack_frames>(xs.back()));
}

TEST_CASE("an ACK cancels only frames of its own line still waiting") {
  store::batch b;
  b.add(frame("s", 1, 1));
  b.take(); // Committed: an ACK now deletes it in the store instead.
  b.add(frame("s", 1, 2));
  b.add(store::ack_frames{"s", 1, 1});
  CHECK(kept_seqs(b.take()) == std::vector<uint64_t>{2});
}

TEST_CASE("a failed commit's changes go back before the newer ones") {
  store::batch b;
  b.add(frame("s", 1, 1));
  auto failed = b.take();
  b.add(frame("s", 1, 2));
  b.put_back(std::move(failed));
  CHECK(kept_seqs(b.take()) == std::vector<uint64_t>{1, 2});
  // Put back, they can still be cancelled by a later ACK.
  b.add(frame("s", 1, 3));
  failed = b.take();
  b.put_back(std::move(failed));
  b.add(store::ack_frames{"s", 1, 3});
  CHECK(kept_seqs(b.take()).empty());
}

TEST_CASE("frames may wait for their line's next change, at most the hold") {
  using clock = store::batch::clock;
  auto t0 = clock::now();
  auto hold = std::chrono::seconds{1};
  store::batch b;
  b.add(frame("s", 1, 1), t0);
  b.add(frame("s", 2, 1), t0);
  b.add(store::session_idle{"s", 5}, t0);
  // Young frames of lines whose rows do not change wait; the rest goes.
  auto first = b.take(t0 + std::chrono::milliseconds{10}, hold);
  REQUIRE(first.size() == 1);
  CHECK(std::holds_alternative<store::session_idle>(first[0]));
  CHECK(b.size() == 2);
  // An ACK meanwhile: that frame is never written.
  b.add(store::ack_frames{"s", 1, 1}, t0);
  // A change of line 2's row takes its frames along, before it.
  b.add(store::put_line{"s", 2, 1, 0, 1025, false, 0}, t0);
  auto second = b.take(t0 + std::chrono::milliseconds{20}, hold);
  REQUIRE(second.size() == 3);
  CHECK(std::holds_alternative<store::keep_frame>(second[0]));
  CHECK(std::get<store::keep_frame>(second[0]).line == 2);
  CHECK(std::holds_alternative<store::ack_frames>(second[1]));
  CHECK(std::holds_alternative<store::put_line>(second[2]));
  CHECK(b.empty());
  // Past the hold a frame goes on its own.
  b.add(frame("s", 3, 1), t0);
  CHECK(b.take(t0 + std::chrono::milliseconds{500}, hold).empty());
  CHECK(kept_seqs(b.take(t0 + std::chrono::seconds{2}, hold)) ==
        std::vector<uint64_t>{1});
  // The end of a session takes its frames along too.
  b.add(frame("s", 4, 1), t0);
  b.add(store::drop_session{"s"}, t0);
  CHECK(b.take(t0, hold).size() == 2);
}

TEST_CASE(
    "a failed commit's frames never wait again and the newer keep their time") {
  // The store reports `ok` again only once a commit has written what failed:
  // a retry that held the failed frames back would succeed without them.
  using clock = store::batch::clock;
  auto t0 = clock::now();
  auto hold = std::chrono::seconds{1};
  store::batch b;
  b.add(frame("s", 1, 1), t0 - std::chrono::seconds{5});
  auto failed = b.take(t0, hold);
  REQUIRE(kept_seqs(failed) == std::vector<uint64_t>{1});
  b.add(frame("s", 2, 1), t0);
  b.put_back(std::move(failed));
  // The failed frame goes at once, the young one of another line still waits.
  auto retry = b.take(t0 + std::chrono::milliseconds{10}, hold);
  REQUIRE(retry.size() == 1);
  CHECK(std::get<store::keep_frame>(retry[0]).line == 1);
  CHECK(b.take(t0 + std::chrono::milliseconds{500}, hold).empty());
  CHECK(kept_seqs(b.take(t0 + std::chrono::milliseconds{1001}, hold)) ==
        std::vector<uint64_t>{1});
}
