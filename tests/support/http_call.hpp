#pragma once

// An HTTP/1.1 request to a node, plain or over TLS, for the tests of its
// HTTP side.

#include <string>

#include "tether/clients/cpp/client.hpp"

namespace tether::test {

struct http_result {
  /// 0: no answer (connection refused, timeout).
  unsigned status = 0;
  std::string content_type;
  std::string body;
};

/// Sends `method target` to `at` (over TLS when `at.tls`, checked as
/// `at.tls_options` say) with `body` (of `content_type`) and, unless
/// empty, a bearer `token`; waits up to 90 s for the answer.
http_result http_call(const client::endpoint& at, const std::string& method,
                      const std::string& target, const std::string& token = {},
                      const std::string& body = {},
                      const std::string& content_type = "application/json");

} // namespace tether::test
