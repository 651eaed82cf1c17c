// The reconnect backoff: exponential windows with full jitter.

#include <set>

#include <catch2/catch.hpp>

#include "tether/clients/cpp/backoff.hpp"

using namespace tether;
using namespace std::chrono_literals;

TEST_CASE("backoff windows double from min_delay up to max_delay") {
  client::backoff b{100ms, 1000ms, 1};
  CHECK(b.ceiling(0) == 100ms);
  CHECK(b.ceiling(1) == 200ms);
  CHECK(b.ceiling(3) == 800ms);
  CHECK(b.ceiling(4) == 1000ms);
  CHECK(b.ceiling(1000) == 1000ms);
}

TEST_CASE("each wait is drawn from its window, and waits spread out") {
  client::backoff b{10ms, 500ms, 42};
  std::set<int64_t> seen;
  for (unsigned n = 0; n < 200; ++n) {
    auto top = b.ceiling(b.attempt());
    auto wait = b.next();
    CHECK(wait >= 10ms);
    CHECK(wait <= top);
    if (n >= 10)
      seen.insert(wait.count());
  }
  // Full jitter: the late waits are not one value.
  CHECK(seen.size() > 50);
  b.reset();
  CHECK(b.attempt() == 0);
  CHECK(b.next() == 10ms); // The first window is [min, min].
}

TEST_CASE("two clients with other seeds do not wait in step") {
  client::backoff a{10ms, 10000ms, 1};
  client::backoff b{10ms, 10000ms, 2};
  int same = 0;
  for (int i = 0; i < 20; ++i)
    same += a.next() == b.next() ? 1 : 0;
  CHECK(same < 5);
}
