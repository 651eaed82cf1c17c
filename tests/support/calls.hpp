#pragma once

// Requests from a test to a node over a real client, failing the test when
// the node does not answer in time.

#include <chrono>
#include <csignal>
#include <memory>
#include <string>

#include <catch2/catch.hpp>

#include "tether/clients/cpp/client.hpp"
#include "tether/tests/support/child_node.hpp"
#include "tether/tests/support/test_node.hpp"

namespace tether::test {

/// Connects to `where` and completes HELLO/WELCOME.
inline std::shared_ptr<client::client> join(client::io_thread& io,
                                            const client::endpoint& where) {
  auto c = client::client::connect(io, where);
  REQUIRE(c);
  REQUIRE(c->hello({}, "tether-cpp", welcome_wait));
  return c;
}

/// The answer to `op`, within `wait`.
inline client::answer
call(client::client& c, const std::string& op, codec::value payload,
     std::chrono::milliseconds wait = std::chrono::seconds{5}) {
  auto f = c.call(op, std::move(payload));
  REQUIRE(f.wait_for(wait) == std::future_status::ready);
  return f.get();
}

/// The REPLY payload of `op`; anything else fails the test.
inline codec::value call_ok(client::client& c, const std::string& op,
                            codec::value payload) {
  auto a = call(c, op, std::move(payload));
  INFO(op << ": " << a.code << " " << a.message);
  REQUIRE(a.ok());
  return a.payload;
}

/// A client at `where` that resumes the stream of `s` after `last_seq` and
/// acknowledges only when the test says; the test fails unless the node
/// resumes it. `out` gets the new SESSION (its token).
inline std::shared_ptr<client::client> resume(client::io_thread& io,
                                              const client::endpoint& where,
                                              const codec::session& s,
                                              uint64_t last_seq,
                                              codec::session* out = nullptr) {
  auto c = join(io, where);
  c->auto_ack(0);
  std::string error;
  auto resumed = c->resume_session(s.stream_token, last_seq, &error);
  INFO("resume after seq " << last_seq << ": " << error);
  REQUIRE(resumed);
  CHECK(resumed->resumed);
  CHECK(resumed->session_id == s.session_id);
  if (out)
    *out = *resumed;
  return c;
}

/// SIGTERM: the client gets CLOSE 5 and the node exits 0.
inline void stop_cleanly(child_node& node, client::client& c) {
  node.signal(SIGTERM);
  CHECK(close_code_of(c) == 5);
  CHECK(node.wait_exit() == 0);
}

} // namespace tether::test
