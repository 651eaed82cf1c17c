#include "api_client.hpp"

#include <chrono>

#include "tether/transport/http_client.hpp"

namespace tether::ctl {

bool parse_url(const std::string& url, target& out, std::string& error) {
  std::string rest;
  if (url.rfind("http://", 0) == 0) {
    out.tls = false;
    rest = url.substr(7);
  } else if (url.rfind("https://", 0) == 0) {
    out.tls = true;
    rest = url.substr(8);
  } else {
    error = "the URL must start with http:// or https:// (" + url + ")";
    return false;
  }
  auto slash = rest.find('/');
  auto authority = rest.substr(0, slash);
  out.prefix = slash == std::string::npos ? "" : rest.substr(slash);
  while (!out.prefix.empty() && out.prefix.back() == '/')
    out.prefix.pop_back();
  if (!authority.empty() && authority[0] == '[') { // [::1]:8080
    auto close = authority.find(']');
    if (close == std::string::npos) {
      error = "unbalanced [ in " + url;
      return false;
    }
    out.host = authority.substr(1, close - 1);
    auto after = authority.substr(close + 1);
    out.port = after.size() > 1 && after[0] == ':' ? after.substr(1) : "";
  } else {
    auto colon = authority.rfind(':');
    out.host = authority.substr(0, colon);
    out.port = colon == std::string::npos ? "" : authority.substr(colon + 1);
  }
  if (out.port.empty())
    out.port = out.tls ? "443" : "80";
  if (out.host.empty()) {
    error = "no host in " + url;
    return false;
  }
  return true;
}

response call(const target& at, const std::string& method,
              const std::string& path, const std::string& body) {
  namespace http = transport::http;
  http::request<http::string_body> req{http::string_to_verb(method),
                                       at.prefix + path, 11};
  req.set(http::field::host, at.host);
  req.set(http::field::user_agent, "tetherctl");
  req.set(http::field::accept, "application/json");
  if (!at.token.empty())
    req.set(http::field::authorization, "Bearer " + at.token);
  if (!body.empty())
    req.set(http::field::content_type, "application/json");
  req.body() = body;
  req.prepare_payload();
  auto r = transport::http_exchange(at.host, at.port, at.tls, {at.verify, {}},
                                    req, std::chrono::seconds{90});
  return {r.status, std::move(r.body), std::move(r.error)};
}

} // namespace tether::ctl
