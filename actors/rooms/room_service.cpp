#include "actors/rooms/room_service.hpp"

#include <caf/actor_system.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "actors/behaviors/payload_fields.hpp"
#include "actors/function_behavior.hpp"
#include "actors/responder.hpp"
#include "actors/rooms/room.hpp"
#include "security/crypto.hpp"

namespace tether {

const char* const room_ops[13] = {
    "room.create",    "room.join",      "room.leave",      "room.kick",
    "room.invite",    "room.broadcast", "room.send",       "room.props.get",
    "room.props.set", "room.props.cas", "room.props.incr", "room.info",
    "room.delete"};

namespace {

using pointer = room_service_actor::stateful_pointer<room_service_state>;
using codec::value;

void create(pointer self, const request_context& ctx, const value& payload) {
  auto& st = self->state;
  responder r{ctx};
  room_setup setup;
  setup.limits = st.limits;
  setup.sessions = st.sessions;
  setup.service = caf::actor_cast<caf::actor>(self);
  setup.max_members = st.limits.room_max_members;
  setup.ttl_s = st.limits.room_ttl_s;
  get_string(payload, "type", setup.type);
  get_uint(payload, "max_members", setup.max_members);
  get_uint(payload, "ttl_s", setup.ttl_s);
  if (setup.max_members == 0 || setup.max_members > st.limits.room_max_members)
    return r.fail("invalid", "max_members must be 1 to " +
                                 std::to_string(st.limits.room_max_members));
  auto props = codec::lookup(payload, "props");
  std::vector<std::pair<std::string, value>> given;
  if (!props.is_nil() && !map_entries(props, given))
    return r.fail("invalid", "props must be a map");
  for (const auto& kv : given) {
    if (!is_plain(kv.second))
      return r.fail("invalid",
                    "property '" + kv.first + "' is not a plain value");
    if (!kv.second.is_nil())
      setup.props[kv.first] = kv.second;
  }
  setup.id = "r." + security::base64url_encode(security::random_bytes(12));
  setup.creator = room_member{ctx.session_id, ctx.session, ctx.session_info};
  auto room = spawn_room(self->system(), setup);
  self->monitor(room);
  st.rooms.emplace(setup.id, room);
  st.ids.emplace(room.address(), setup.id);
  r.reply(value::map({{"room", value::of(setup.id)}}));
}

} // namespace

room_service_actor spawn_room_service(caf::actor_system& sys,
                                      const config::limits& limits,
                                      session_supervisor_actor sessions) {
  return sys.spawn([limits, sessions](
                       pointer self) -> room_service_actor::behavior_type {
    self->state.limits = limits;
    self->state.sessions = sessions;
    self->set_down_handler([self](caf::down_msg& msg) {
      auto& st = self->state;
      auto i = st.ids.find(msg.source);
      if (i == st.ids.end())
        return;
      st.rooms.erase(i->second);
      st.ids.erase(i);
    });
    return {
        [self](invoke_atom, const request_context& ctx, const value& payload) {
          if (ctx.session_id.empty())
            return responder{ctx}.fail("no_session", "room ops need a session");
          if (ctx.op == "room.create")
            return create(self, ctx, payload);
          std::string id;
          if (!get_string(payload, "room", id))
            return responder{ctx}.fail("invalid", "expected room: str");
          auto i = self->state.rooms.find(id);
          if (i == self->state.rooms.end())
            return responder{ctx}.fail("room_not_found",
                                       "no room '" + id + "'");
          self->send(i->second, invoke_atom::value, ctx, payload);
        },
        [](open_atom, const request_context& ctx, const value&) {
          refuse_stream(ctx);
        },
        [](part_atom, const request_context&, const value&, bool) {},
        [](cancel_atom, const request_context&) {},
        [](signal_atom, const request_context&, const value&) {},
        [self](stats_atom) {
          return static_cast<uint64_t>(self->state.rooms.size());
        },
    };
  });
}

void add_room_behaviors(behavior_registry& registry,
                        const room_service_actor& service) {
  behavior_actor handler = service;
  for (auto op : room_ops)
    registry.add(op, handler);
}

} // namespace tether
