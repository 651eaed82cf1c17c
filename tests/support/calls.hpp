#pragma once

// Requests from a test to a node over a real client, failing the test when
// the node does not answer in time.

#include <chrono>
#include <memory>
#include <string>

#include <catch2/catch.hpp>

#include "tether/clients/cpp/client.hpp"

namespace tether::test {

/// Connects to `where` and completes HELLO/WELCOME.
inline std::shared_ptr<client::client> join(client::io_thread& io,
                                            const client::endpoint& where) {
  auto c = client::client::connect(io, where);
  REQUIRE(c);
  REQUIRE(c->hello());
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

} // namespace tether::test
