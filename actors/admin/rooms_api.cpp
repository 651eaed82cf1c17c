#include "tether/actors/admin/routes.hpp"

#include "tether/actors/rooms/delivery.hpp"
#include "tether/codec/payload_fields.hpp"

namespace tether::admin {

namespace {

/// POST /api/v1/rooms {type, max_members, ttl_s, props}: read as
/// room.create reads its payload.
caf::result<transport::http_response> create(pointer self,
                                             const std::string& body) {
  auto parsed = object_of(body);
  if (!parsed)
    return failure(400, "invalid",
                   "expected {type, max_members, ttl_s, props}");
  return ask<std::string>(
      self, self->state.rooms, "room",
      [](const std::string& id) {
        return answer(201, {{"room", id}});
      },
      create_atom::value, from_json(*parsed));
}

/// POST /api/v1/rooms/ID/broadcast {name, payload, delivery, key}: the
/// body read as the MessagePack map it stands for, checked as
/// room.broadcast checks its payload.
caf::result<transport::http_response>
broadcast(pointer self, const std::string& id, const std::string& body) {
  auto parsed = object_of(body);
  if (!parsed)
    return failure(400, "invalid", "expected {name, payload, delivery, key}");
  auto fields = from_json(*parsed);
  std::string name;
  if (!codec::get_string(fields, "name", name))
    return failure(400, "invalid", "expected a name (str)");
  room_delivery how;
  if (auto problem = read_delivery(fields, how); !problem.empty())
    return failure(400, "invalid", problem);
  return ask<bool>(
      self, self->state.rooms, "room",
      [](bool) { return answer(202, json::object()); }, broadcast_atom::value,
      id, name, codec::lookup(fields, "payload"), how, false);
}

} // namespace

caf::result<transport::http_response> rooms_api(pointer self, const call& c) {
  if (auto r = shared_rows(self, self->state.rooms, "room", c))
    return std::move(*r);
  const auto& p = c.parts;
  if (p.size() == 1 && c.method == "POST")
    return create(self, c.body);
  if (p.size() == 3 && c.method == "POST" && p[2] == "broadcast")
    return broadcast(self, p[1], c.body);
  return failure(404, "unknown_op", "no such path");
}

} // namespace tether::admin
