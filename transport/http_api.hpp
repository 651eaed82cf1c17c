#pragma once

#include <functional>
#include <string>

#include <caf/meta/type_name.hpp>

namespace tether::transport {

/// An HTTP request the transport hands on (the admin API under `/api/`).
struct http_request {
  std::string method;
  /// Path and query, as sent.
  std::string target;
  /// The `Authorization` header, as sent.
  std::string authorization;
  std::string body;
};

template <class Inspector> auto inspect(Inspector& f, http_request& x) {
  return f(caf::meta::type_name("http_request"), x.method, x.target,
           x.authorization, x.body);
}

/// Its answer.
struct http_response {
  unsigned status = 200;
  std::string content_type = "application/json";
  std::string body;
};

template <class Inspector> auto inspect(Inspector& f, http_response& x) {
  return f(caf::meta::type_name("http_response"), x.status, x.content_type,
           x.body);
}

/// Answers a request under `/api/`: called on the socket's I/O thread;
/// `reply` may be called from any thread, once.
using http_api = std::function<void(http_request request,
                                    std::function<void(http_response)> reply)>;

} // namespace tether::transport
