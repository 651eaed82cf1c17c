#include "tether/actors/admin/admin_api.hpp"

#include <chrono>
#include <vector>

#include <caf/event_based_actor.hpp>
#include <caf/typed_event_based_actor.hpp>
#include <nlohmann/json.hpp>

#include "tether/codec/payload_fields.hpp"
#include "tether/security/crypto.hpp"

namespace tether {

namespace {

using json = nlohmann::json;
using transport::http_request;
using transport::http_response;
using pointer = admin_actor::stateful_pointer<admin_setup>;

http_response answer(unsigned status, const json& body) {
  // Replaces bytes that are not UTF-8 (a path or an id quoted back): the
  // default dump() throws on them, and an exception ends the admin actor.
  return {status, "application/json",
          body.dump(-1, ' ', false, json::error_handler_t::replace)};
}

/// The contract's error answer: {"error": CODE, "message": TEXT}.
http_response failure(unsigned status, const std::string& code,
                      const std::string& message) {
  return answer(status, json{{"error", code}, {"message", message}});
}

std::vector<std::string> segments(const std::string& target) {
  auto path = target.substr(0, target.find('?'));
  std::vector<std::string> result;
  size_t start = 1;
  while (start <= path.size()) {
    auto end = path.find('/', start);
    if (end == std::string::npos)
      end = path.size();
    if (end > start)
      result.push_back(path.substr(start, end - start));
    start = end + 1;
  }
  return result;
}

json node_json(const node_figures& x) {
  json cluster = json::array();
  for (const auto& n : x.cluster)
    cluster.push_back({{"node", n.name}, {"url", n.url}, {"state", n.state}});
  return {{"node", x.node.node},         {"version", 1},
          {"uptime_s", x.node.uptime_s}, {"connections", x.node.connections},
          {"sessions", x.sessions},      {"rooms", x.rooms},
          {"cluster", cluster}};
}

/// The `to` of a migrate body, or empty.
std::string target_node(const std::string& body) {
  auto parsed = json::parse(body, nullptr, false);
  if (parsed.is_discarded() || !parsed.is_object() || !parsed.contains("to") ||
      !parsed["to"].is_string())
    return {};
  return parsed["to"].get<std::string>();
}

/// An error of a migration as the API's status and code; `what` is
/// "session" or "room".
http_response migrate_failure(pointer self, const std::string& what,
                              const caf::error& err) {
  auto text = self->system().render(err);
  auto not_found = what + "_not_found";
  if (text.find(not_found) != std::string::npos)
    return failure(404, not_found, "no " + what + " of this id");
  if (text.find("invalid") != std::string::npos)
    return failure(400, "invalid", "the node named in 'to' is not up");
  return failure(409, "conflict", "the " + what + " did not move: " + text);
}

/// POST /api/v1/{sessions,rooms}/ID/migrate: asks `service` (which finds
/// the session or room wherever it is) to move it.
template <class Service>
caf::result<http_response>
migrate(pointer self, const Service& service, const std::string& what,
        const std::string& id, const std::string& body) {
  auto to = target_node(body);
  if (to.empty())
    return failure(400, "invalid", "expected {\"to\": NODE}");
  auto promise = self->make_response_promise<http_response>();
  self->request(service, std::chrono::seconds{60}, migrate_atom::value, id, to,
                false)
      .then(
          [promise, what, id](const std::string& node) mutable {
            promise.deliver(answer(200, {{what, id}, {"node", node}}));
          },
          [self, promise, what](const caf::error& err) mutable {
            promise.deliver(migrate_failure(self, what, err));
          });
  return promise;
}

/// POST /api/v1/rooms/ID/broadcast {name, payload, delivery, key}: the
/// body read as the MessagePack map it stands for, checked as room.broadcast
/// checks its payload.
caf::result<http_response> broadcast(pointer self, const std::string& id,
                                     const std::string& body) {
  auto parsed = json::parse(body, nullptr, false);
  if (parsed.is_discarded() || !parsed.is_object())
    return failure(400, "invalid", "expected {name, payload, delivery, key}");
  auto packed = json::to_msgpack(parsed);
  auto fields = codec::value::from_encoded({packed.begin(), packed.end()});
  std::string name;
  if (!codec::get_string(fields, "name", name))
    return failure(400, "invalid", "expected a name (str)");
  room_delivery how;
  if (auto problem = read_delivery(fields, how); !problem.empty())
    return failure(400, "invalid", problem);
  auto promise = self->make_response_promise<http_response>();
  self->request(self->state.rooms, std::chrono::seconds{30},
                broadcast_atom::value, id, name,
                codec::lookup(fields, "payload"), how, false)
      .then([promise](
                bool) mutable { promise.deliver(answer(202, json::object())); },
            [self, promise](const caf::error& err) mutable {
              auto text = self->system().render(err);
              promise.deliver(
                  text.find("room_not_found") != std::string::npos
                      ? failure(404, "room_not_found", "no room of this id")
                      : failure(409, "internal", "the room did not answer"));
            });
  return promise;
}

caf::result<http_response> route(pointer self, const http_request& req) {
  auto& st = self->state;
  auto parts = segments(req.target);
  if (st.token.empty())
    return failure(404, "unknown_op", "the admin API is off (no token)");
  const std::string bearer = "Bearer ";
  if (req.authorization.rfind(bearer, 0) != 0 ||
      !security::equal_constant_time(req.authorization.substr(bearer.size()),
                                     st.token))
    return failure(401, "unauthorized", "a valid bearer token is required");
  if (parts.size() < 3 || parts[0] != "api" || parts[1] != "v1")
    return failure(404, "unknown_op", "no such path: " + req.target);
  const auto& m = req.method;
  if (m == "GET" && parts.size() == 3 && parts[2] == "node") {
    auto promise = std::make_shared<caf::typed_response_promise<http_response>>(
        self->make_response_promise<http_response>());
    gather_figures(
        self, st.figures,
        [promise](const node_figures& x) {
          promise->deliver(answer(200, node_json(x)));
        },
        [promise](const caf::error&) {
          promise->deliver(failure(409, "internal", "figures unavailable"));
        });
    return *promise;
  }
  if (m == "POST" && parts.size() == 3 && parts[2] == "drain") {
    st.drain();
    return answer(202, json::object());
  }
  if (m == "POST" && parts.size() == 5 && parts[4] == "migrate") {
    if (parts[2] == "sessions")
      return migrate(self, st.sessions, "session", parts[3], req.body);
    if (parts[2] == "rooms")
      return migrate(self, st.rooms, "room", parts[3], req.body);
  }
  if (m == "POST" && parts.size() == 5 && parts[2] == "rooms" &&
      parts[4] == "broadcast")
    return broadcast(self, parts[3], req.body);
  return failure(404, "unknown_op", "no such path: " + m + " " + req.target);
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
