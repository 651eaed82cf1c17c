#include "tether/tests/support/http_call.hpp"

#include <chrono>

#include "tether/transport/http_client.hpp"

namespace tether::test {

http_result http_call(const client::endpoint& at, const std::string& method,
                      const std::string& target, const std::string& token,
                      const std::string& body,
                      const std::string& content_type) {
  namespace http = transport::http;
  http::request<http::string_body> req{http::string_to_verb(method), target,
                                       11};
  req.set(http::field::host, at.host);
  if (!token.empty())
    req.set(http::field::authorization, "Bearer " + token);
  if (!body.empty())
    req.set(http::field::content_type, content_type);
  req.body() = body;
  req.prepare_payload();
  auto r =
      transport::http_exchange(at.host, std::to_string(at.port), at.tls,
                               at.tls_options, req, std::chrono::seconds{90});
  return {r.status, std::move(r.content_type), std::move(r.body)};
}

} // namespace tether::test
