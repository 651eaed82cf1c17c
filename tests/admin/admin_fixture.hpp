#pragma once

// A node with an admin token, and its API called over real HTTP.

#include <string>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "tether/tests/support/calls.hpp"
#include "tether/tests/support/http_call.hpp"
#include "tether/tests/support/test_node.hpp"

namespace tether::test {

inline const std::string token = "ops-token";

/// A node with the admin API on, and clients to give it something to show.
struct admin_fixture {
  explicit admin_fixture(test_node::tweak more = {})
      : node([more](config::options& o) {
          o.admin_token = token;
          if (more)
            more(o);
        }) {}

  /// `method target` with the token: status and body as JSON (null when
  /// there is no body).
  std::pair<unsigned, nlohmann::json> api(const std::string& method,
                                          const std::string& target,
                                          const std::string& body = {}) {
    auto r = http_call(node.where(), method, target, token, body);
    INFO(method << " " << target << " -> " << r.status << " " << r.body);
    if (!r.body.empty())
      CHECK(r.content_type == "application/json");
    auto json = r.body.empty() ? nlohmann::json{}
                               : nlohmann::json::parse(r.body, nullptr, false);
    return {r.status, json};
  }

  test_node node;
  client::io_thread io;
};

} // namespace tether::test
