// Request rates: a connection's and a session's token buckets answer RETRY
// rate_limit with the wait until the next token, and a refused request was
// not performed (its id is free again).

#include <catch2/catch.hpp>

#include "tether/tests/support/calls.hpp"
#include "tether/tests/support/test_node.hpp"

using namespace tether;
using namespace std::chrono_literals;
using codec::value;

namespace {

/// Sends `count` echoes from id `first` on and counts REPLY and RETRY
/// rate_limit answers; `wait` gets the largest wait_ms.
std::pair<int, int> burst(client::client& c, uint64_t first, int count,
                          uint64_t* wait = nullptr) {
  std::vector<codec::frame> frames;
  for (int i = 0; i < count; ++i)
    frames.emplace_back(codec::request{first + i, "sys.echo", value::of(i)});
  c.send(frames);
  int replies = 0;
  int retries = 0;
  while (replies + retries < count) {
    auto f = c.next(5s);
    REQUIRE(f);
    if (std::holds_alternative<codec::reply>(*f))
      ++replies;
    if (auto r = std::get_if<codec::retry>(&*f)) {
      CHECK(r->reason == "rate_limit");
      if (wait)
        *wait = std::max(*wait, r->wait_ms);
      ++retries;
    }
  }
  return {replies, retries};
}

} // namespace

TEST_CASE("requests over a connection's rate get RETRY rate_limit with the "
          "wait for a token") {
  test::test_node n{[](config::options& o) {
    o.lim.request_rate = 2;
    o.lim.request_burst = 5;
  }};
  client::io_thread io;
  auto c = n.join(io);
  uint64_t wait = 0;
  auto [replies, retries] = burst(*c, 1, 20, &wait);
  // The burst, and at most a token or two more while they ran.
  CHECK(replies >= 5);
  CHECK(replies <= 7);
  CHECK(retries == 20 - replies);
  // A token every 500 ms: the wait says when the next one comes.
  CHECK(wait > 0);
  CHECK(wait <= 500);
  // After the wait, the same id goes through: it was never performed.
  std::this_thread::sleep_for(std::chrono::milliseconds{wait});
  CHECK(test::call_ok(*c, "sys.echo", value::of(3)) == value::of(3));
  // Another connection has its own bucket.
  auto other = n.join(io);
  CHECK(burst(*other, 1, 5).first == 5);
}

TEST_CASE("the streams of one session share the session's rate") {
  test::test_node n{[](config::options& o) {
    o.lim.session_request_rate = 1;
    o.lim.session_request_burst = 6;
  }};
  client::io_thread io;
  codec::session s;
  auto a = test::with_session(n, io, s);
  auto b = n.join(io);
  REQUIRE(b->attach_session(s.session_key));
  auto [a_replies, a_retries] = burst(*a, 1, 4);
  auto [b_replies, b_retries] = burst(*b, 1, 4);
  // Six tokens for both streams together (a seventh may refill).
  CHECK(a_replies + b_replies >= 6);
  CHECK(a_replies + b_replies <= 7);
  CHECK(a_retries + b_retries == 8 - a_replies - b_replies);
  // Without a session there is no session rate.
  auto plain = n.join(io);
  CHECK(burst(*plain, 1, 8).first == 8);
}
