#include "tether/actors/admin/admin_api.hpp"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <vector>

#include <caf/event_based_actor.hpp>

#include "tether/actors/admin/debug_page.hpp"
#include "tether/actors/admin/metrics_page.hpp"
#include "tether/actors/admin/routes.hpp"
#include "tether/security/crypto.hpp"

namespace tether {

namespace {

using admin::call;
using admin::failure;
using admin::pointer;
using transport::http_request;
using transport::http_response;

/// `%XX` and `+` of a URL decoded; a malformed escape stays as it is.
std::string url_decoded(const std::string& x) {
  std::string result;
  for (size_t i = 0; i < x.size(); ++i) {
    if (x[i] == '%' && i + 2 < x.size()) {
      auto hex = x.substr(i + 1, 2);
      std::transform(hex.begin(), hex.end(), hex.begin(),
                     [](unsigned char c) { return std::tolower(c); });
      if (auto byte = security::from_hex(hex)) {
        result += *byte;
        i += 2;
        continue;
      }
    }
    result += x[i] == '+' ? ' ' : x[i];
  }
  return result;
}

/// The parts of `text` between `separator`s, empty ones left out.
std::vector<std::string> split(const std::string& text, char separator) {
  std::vector<std::string> result;
  size_t start = 0;
  while (start <= text.size()) {
    auto end = text.find(separator, start);
    if (end == std::string::npos)
      end = text.size();
    if (end > start)
      result.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return result;
}

call call_of(const http_request& req) {
  call c;
  c.method = req.method;
  c.body = req.body;
  auto query_at = req.target.find('?');
  for (auto& part : split(req.target.substr(0, query_at), '/'))
    c.parts.push_back(url_decoded(part));
  if (query_at != std::string::npos)
    for (const auto& field : split(req.target.substr(query_at + 1), '&')) {
      auto eq = field.find('=');
      auto value = eq == std::string::npos ? "" : field.substr(eq + 1);
      c.query[url_decoded(field.substr(0, eq))] = url_decoded(value);
    }
  return c;
}

bool authorized(const admin_setup& st, const http_request& req) {
  const std::string bearer = "Bearer ";
  return req.authorization.rfind(bearer, 0) == 0 &&
         security::equal_constant_time(req.authorization.substr(bearer.size()),
                                       st.token);
}

/// GET /metrics: the figures of their owners and the node's counts.
caf::result<http_response> metrics(pointer self) {
  auto promise = std::make_shared<caf::typed_response_promise<http_response>>(
      self->make_response_promise<http_response>());
  gather_figures(
      self, self->state.figures,
      [self, promise](const node_figures& x) {
        auto& st = self->state;
        promise->deliver(http_response{
            200, admin::metrics_content_type,
            admin::render_metrics(
                {x, st.counts.get(), st.admits.get(), st.kept.get()})});
      },
      [promise](const caf::error&) {
        promise->deliver(
            http_response{503, "text/plain", "figures unavailable\n"});
      });
  return *promise;
}

caf::result<http_response> route(pointer self, const http_request& req) {
  auto& st = self->state;
  auto path = req.target.substr(0, req.target.find('?'));
  if (path == "/metrics") {
    if (req.method != "GET")
      return http_response{405, "text/plain", "GET /metrics\n"};
    return metrics(self);
  }
  if (path == "/debug" && !st.token.empty())
    return http_response{200, "text/html; charset=utf-8",
                         std::string{admin::debug_page()}};
  if (path == "/debug")
    return http_response{404, "text/plain",
                         "not found: /debug needs --admin-token\n"};
  if (st.token.empty())
    return failure(404, "unknown_op", "the admin API is off (no token)");
  if (!authorized(st, req))
    return failure(401, "unauthorized", "a valid bearer token is required");
  auto c = call_of(req);
  auto& p = c.parts;
  if (p.size() < 3 || p[0] != "api" || p[1] != "v1")
    return failure(404, "unknown_op", "no such path: " + req.target);
  p.erase(p.begin(), p.begin() + 2);
  if (p[0] == "sessions")
    return admin::sessions_api(self, c);
  if (p[0] == "rooms")
    return admin::rooms_api(self, c);
  return admin::node_api(self, c);
}

} // namespace

admin_actor spawn_admin_api(caf::actor_system& sys, admin_setup setup) {
  return sys.spawn([setup](pointer self) -> admin_actor::behavior_type {
    self->state = setup;
    return {
        [self](const http_request& req) { return route(self, req); },
    };
  });
}

transport::http_api admin_bridge(caf::actor_system& sys, admin_actor admin) {
  return [&sys, admin](http_request req,
                       std::function<void(http_response)> reply) {
    // One short-lived actor per request: it waits for the answer, hands it
    // to the socket and ends.
    sys.spawn([admin, req = std::move(req),
               reply = std::move(reply)](caf::event_based_actor* self) {
      self->request(admin, std::chrono::seconds{90}, req)
          .then([reply](http_response& r) { reply(std::move(r)); },
                [reply](const caf::error&) {
                  reply(failure(409, "internal", "the node did not answer"));
                });
    });
  };
}

} // namespace tether
