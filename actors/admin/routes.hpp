#pragma once

// The admin API's handlers, one file per resource; admin_api.cpp routes
// each request to one of them.

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <caf/typed_event_based_actor.hpp>

#include "tether/actors/admin/admin_api.hpp"
#include "tether/actors/admin/answers.hpp"

namespace tether::admin {

using pointer = admin_actor::stateful_pointer<admin_setup>;

/// A request as its handler sees it.
struct call {
  std::string method;
  /// The path's segments after `/api/v1/`.
  std::vector<std::string> parts;
  /// The query's fields, decoded.
  std::map<std::string, std::string> query;
  std::string body;
};

/// How long a service gets to answer: a migration waits for open requests
/// to finish and for the other node's store.
constexpr std::chrono::seconds service_wait{60};

/// Asks `to` and answers with `ok(result)`, or with the API's error for
/// a `what` ("session", "room").
template <class Result, class To, class Ok, class... Ts>
caf::result<transport::http_response> ask(pointer self, const To& to,
                                          const std::string& what, Ok ok,
                                          const Ts&... xs) {
  auto promise = self->make_response_promise<transport::http_response>();
  self->request(to, service_wait, xs...)
      .then([promise, ok](Result& x) mutable { promise.deliver(ok(x)); },
            [self, promise, what](const caf::error& err) mutable {
              promise.deliver(failure_of(self->system(), what, err));
            });
  return promise;
}

/// The most items a page holds (and its default): one answer stays small,
/// one request cheap for every node.
constexpr uint64_t max_page = 1000;
constexpr uint64_t default_page = 100;

/// `limit` and `after` of a page, or the 400 answer in `bad`.
struct page_request {
  uint64_t limit = default_page;
  std::string after;
  std::optional<transport::http_response> bad;
};

page_request page_of(const call& c);

/// {KEY: items, next}: `items` has one more than the page's limit when a
/// next page exists.
transport::http_response page_answer(const std::string& key,
                                     std::vector<codec::value> items,
                                     const page_request& page,
                                     const std::string& id_key);

/// `/api/v1/node`, `/api/v1/drain`.
caf::result<transport::http_response> node_api(pointer self, const call& c);

/// `/api/v1/sessions...`.
caf::result<transport::http_response> sessions_api(pointer self, const call& c);

/// `/api/v1/rooms...`.
caf::result<transport::http_response> rooms_api(pointer self, const call& c);

/// POST `/api/v1/{sessions,rooms}/ID/migrate` with {to: NODE}.
template <class Service>
caf::result<transport::http_response>
migrate(pointer self, const Service& service, const std::string& what,
        const std::string& id, const std::string& body) {
  auto parsed = object_of(body);
  if (!parsed || !parsed->contains("to") || !(*parsed)["to"].is_string())
    return failure(400, "invalid", "expected {\"to\": NODE}");
  return ask<std::string>(
      self, service, what,
      [what, id](const std::string& node) {
        return answer(200, {{what, id}, {"node", node}});
      },
      migrate_atom::value, id, (*parsed)["to"].get<std::string>(), false);
}

/// The rows sessions and rooms share, for a `what` ("session", "room"):
/// a page, one, its deletion and its move; nothing for other requests.
template <class Service>
std::optional<caf::result<transport::http_response>>
shared_rows(pointer self, const Service& service, const std::string& what,
            const call& c) {
  const auto& m = c.method;
  const auto& p = c.parts;
  if (p.size() == 1 && m == "GET") {
    auto page = page_of(c);
    if (page.bad)
      return caf::result<transport::http_response>{*page.bad};
    auto key = what + "s";
    return ask<std::vector<codec::value>>(
        self, service, what,
        [page, key, what](std::vector<codec::value>& x) {
          return page_answer(key, std::move(x), page, what);
        },
        list_atom::value, page.after, page.limit + 1, false);
  }
  if (p.size() == 2 && m == "GET")
    return ask<codec::value>(
        self, service, what,
        [](const codec::value& x) { return answer(200, to_json(x)); },
        info_atom::value, p[1], false);
  if (p.size() == 2 && m == "DELETE")
    return ask<bool>(
        self, service, what, [](bool) { return no_content(); },
        close_atom::value, p[1], false);
  if (p.size() == 3 && m == "POST" && p[2] == "migrate")
    return migrate(self, service, what, p[1], c.body);
  return std::nullopt;
}

} // namespace tether::admin
