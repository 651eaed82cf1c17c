#include "tether/actors/rooms/room_service.hpp"

#include <caf/actor_system.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "tether/actors/cluster/answer_once_saved.hpp"
#include "tether/actors/cluster/first_answer.hpp"
#include "tether/actors/cluster/listing.hpp"
#include "tether/actors/cluster/peers.hpp"
#include "tether/actors/cluster/spread.hpp"
#include "tether/actors/function_behavior.hpp"
#include "tether/actors/log.hpp"
#include "tether/actors/responder.hpp"
#include "tether/actors/rooms/room_props.hpp"
#include "tether/actors/stop_children.hpp"
#include "tether/codec/payload_fields.hpp"
#include "tether/security/crypto.hpp"

namespace tether {

const char* const room_ops[13] = {
    "room.create",    "room.join",      "room.leave",      "room.kick",
    "room.invite",    "room.broadcast", "room.send",       "room.props.get",
    "room.props.set", "room.props.cas", "room.props.incr", "room.info",
    "room.delete"};

void room_service_state::forget(const std::string& id) {
  auto i = creator_of.find(id);
  if (i == creator_of.end())
    return;
  auto made = made_by.find(i->second);
  if (made != made_by.end() && --made->second == 0)
    made_by.erase(made);
  creator_of.erase(i);
}

namespace {

using pointer = room_service_actor::stateful_pointer<room_service_state>;
using codec::value;

/// A room of `type` with the node's defaults and the type's logic.
room_setup base_setup(pointer self, const std::string& type) {
  auto& st = self->state.setup;
  room_setup setup;
  setup.id = "r." + st.node_name + "." +
             security::base64url_encode(security::random_bytes(12));
  setup.type = type;
  setup.limits = st.limits;
  setup.sessions = st.sessions;
  setup.store = st.store;
  setup.service = caf::actor_cast<caf::actor>(self);
  setup.relay = st.relay;
  setup.max_members = st.limits.room_max_members;
  setup.ttl_s = st.limits.room_ttl_s;
  if (auto i = st.types.find(type); i != st.types.end())
    setup.logic = i->second;
  return setup;
}

/// Reads max_members, ttl_s and props of a create payload; an error text
/// when one is off.
std::string read_options(pointer self, const value& payload,
                         room_setup& setup) {
  auto ceiling = self->state.setup.limits.room_max_members;
  codec::get_uint(payload, "max_members", setup.max_members);
  codec::get_uint(payload, "ttl_s", setup.ttl_s);
  codec::get_bool(payload, "presence", setup.presence);
  if (setup.max_members == 0 || setup.max_members > ceiling)
    return "max_members must be 1 to " + std::to_string(ceiling);
  auto longest = self->state.setup.limits.room_max_ttl_s;
  if (setup.ttl_s > longest)
    return "ttl_s must be at most " + std::to_string(longest);
  auto props = codec::lookup(payload, "props");
  std::vector<std::pair<std::string, value>> given;
  if (!props.is_nil() && !codec::map_entries(props, given))
    return "props must be a map";
  for (const auto& kv : given) {
    if (!codec::is_plain(kv.second))
      return "property '" + kv.first + "' is not a plain value";
    if (!kv.second.is_nil())
      setup.props[kv.first] = kv.second;
  }
  return props_over_limits({}, {setup.props.begin(), setup.props.end()},
                           self->state.setup.limits);
}

void add_room(pointer self, const std::string& id, room_actor room) {
  self->monitor(room);
  self->state.rooms.emplace(id, room);
  self->state.ids.emplace(room.address(), id);
}

std::string launch(pointer self, room_setup setup) {
  auto id = setup.id;
  add_room(self, id, spawn_room(self->system(), std::move(setup)));
  return id;
}

/// Brings back a room of the store (or one migrated here), with the node's
/// settings for its type.
room_actor relaunch(pointer self, room_restore restored) {
  const auto& r = restored.record;
  auto setup = base_setup(self, r.type);
  setup.id = r.id;
  setup.max_members = r.max_members;
  setup.ttl_s = r.ttl_s;
  setup.presence = r.presence;
  auto id = r.id;
  auto room =
      restore_room(self->system(), std::move(setup), std::move(restored));
  add_room(self, id, room);
  self->state.moved.erase(id);
  return room;
}

/// The node that serves room `id`, not here: the one it moved to if this
/// node knows, else the node that made it; null when neither serves.
const cluster_peers::peer* room_node(pointer self, const std::string& id) {
  auto& st = self->state;
  if (!st.peers)
    return nullptr;
  auto i = st.moved.find(id);
  return st.peers->serving(i != st.moved.end() ? i->second : room_home_of(id));
}

/// Moves `room` to the node `to`, which it is told by name.
void move_room(pointer self, const room_actor& room,
               const cluster_peers::peer& to, move_done done) {
  ask_to_move(self, room, std::chrono::seconds{30}, to, to.entry.name,
              counted(std::move(done), self->state.setup.counts,
                      &traffic::rooms_moved, &traffic::room_moves_failed));
}

/// Moves room `id` to node `node`; one not here is asked of the other
/// nodes unless they asked (`asked`). Answers the node it lives on.
caf::result<std::string> migrate(pointer self, const std::string& id,
                                 const std::string& node, bool asked) {
  auto& st = self->state;
  auto i = st.rooms.find(id);
  if (i == st.rooms.end()) {
    if (asked)
      return not_found_error("room_not_found");
    return first_answer<std::string>(
        self,
        others_serving(st.peers,
                       [](const node_services& x) { return x.rooms; }),
        std::chrono::seconds{50}, "room_not_found", migrate_atom::value, id,
        node, true);
  }
  if (node == st.setup.node_name)
    return node;
  auto to = st.peers ? st.peers->serving(node) : nullptr;
  if (!to || to->entry.state != "up")
    return caf::make_error(caf::sec::invalid_argument, "invalid");
  auto promise = self->make_response_promise<std::string>();
  move_room(self, i->second, *to, answer_with(promise, node));
  return promise;
}

/// ROOM_MESSAGE from the node to every member of room `id`, wherever it
/// lives; one not here is asked of the other nodes unless they asked.
caf::result<bool> announce(pointer self, const std::string& id,
                           const std::string& name, const value& payload,
                           const room_delivery& how, bool asked) {
  auto& st = self->state;
  if (auto i = st.rooms.find(id); i != st.rooms.end()) {
    self->send(i->second, broadcast_atom::value, name, payload, how);
    return true;
  }
  if (asked)
    return not_found_error("room_not_found");
  return first_answer<bool>(
      self,
      others_serving(st.peers, [](const node_services& x) { return x.rooms; }),
      std::chrono::seconds{10}, "room_not_found", broadcast_atom::value, id,
      name, payload, how, true);
}

/// The rooms services of the other nodes serving.
std::vector<room_service_actor> other_services(pointer self) {
  return others_serving(self->state.peers,
                        [](const node_services& x) { return x.rooms; });
}

/// A room made by the node from room.create's options.
caf::result<std::string> create_by_node(pointer self, const value& options) {
  std::string type;
  codec::get_string(options, "type", type);
  auto setup = base_setup(self, type);
  if (auto problem = read_options(self, options, setup); !problem.empty())
    return caf::make_error(caf::sec::invalid_argument, "invalid: " + problem);
  return launch(self, std::move(setup));
}

/// Room `id` as room.info answers it, plus `node`: it names the node
/// that answered, which is where the room lives.
caf::result<value> room_info(pointer self, const std::string& id, bool asked) {
  auto& st = self->state;
  auto i = st.rooms.find(id);
  if (i == st.rooms.end())
    return ask_others<value>(self, asked, other_services(self),
                             "room_not_found", info_atom::value, id);
  auto promise = self->make_response_promise<value>();
  auto node = st.setup.node_name;
  self->request(i->second, listing_wait, info_atom::value)
      .then(
          [promise, node](const value& x) mutable {
            std::vector<std::pair<std::string, value>> fields;
            codec::map_entries(x, fields);
            fields.emplace_back("node", value::of(node));
            promise.deliver(value::map(fields));
          },
          [promise](const caf::error& err) mutable { promise.deliver(err); });
  return promise;
}

/// A page of rooms, this node's and (unless `asked`) the others'.
caf::result<std::vector<value>>
list_rooms(pointer self, const std::string& after, uint64_t limit, bool asked) {
  auto& st = self->state;
  std::vector<room_actor> here;
  for (const auto& id : page_of(keys_of(st.rooms), after, limit))
    here.push_back(st.rooms[id]);
  auto promise = self->make_response_promise<std::vector<value>>();
  auto others = other_services(self);
  auto node = st.setup.node_name;
  gather<value>(
      self, here,
      [self, others, asked, after, limit, node,
       promise](std::vector<value> infos) mutable {
        // A page names each room's size, not its members.
        std::vector<value> mine;
        for (const auto& x : infos) {
          std::vector<std::pair<std::string, value>> in;
          codec::map_entries(x, in);
          std::vector<std::pair<std::string, value>> out;
          for (auto& kv : in) {
            if (kv.first == "members") {
              auto handle = kv.second.unpack();
              auto count = handle.get().type == msgpack::type::ARRAY
                               ? handle.get().via.array.size
                               : 0u;
              out.emplace_back("members",
                               value::of(static_cast<uint64_t>(count)));
            } else if (kv.first == "room" || kv.first == "type" ||
                       kv.first == "max_members") {
              out.push_back(std::move(kv));
            }
          }
          out.emplace_back("node", value::of(node));
          mine.push_back(value::map(out));
        }
        cluster_page(self, std::move(mine), others, asked, "room", after, limit,
                     [promise](std::vector<value> x) mutable {
                       promise.deliver(std::move(x));
                     });
      },
      info_atom::value);
  return promise;
}

/// The drain: every room goes to one of the other nodes up.
caf::result<uint64_t> drain_into_cluster(pointer self) {
  auto& st = self->state;
  return hand_over_all(
      self, "rooms", keys_of(st.rooms), st.peers,
      [self](const std::string& id, const cluster_peers::peer& to,
             move_done done) {
        auto& rooms = self->state.rooms;
        if (auto i = rooms.find(id); i != rooms.end())
          return move_room(self, i->second, to, std::move(done));
        done(not_found_error("room_not_found")); // Deleted meanwhile.
      });
}

} // namespace

room_service_actor spawn_room_service(caf::actor_system& sys,
                                      room_service_setup setup,
                                      std::vector<room_restore> restored) {
  return sys.spawn([setup, restored](
                       pointer self) -> room_service_actor::behavior_type {
    self->state.setup = setup;
    for (auto& r : restored)
      relaunch(self, r);
    stop_children_on_exit(self, [self](auto stop) {
      for (auto& kv : self->state.rooms)
        stop(kv.second);
      for (auto& kv : self->state.leaving)
        stop(kv.second);
    });
    self->set_down_handler([self](caf::down_msg& msg) {
      auto& st = self->state;
      if (st.leaving.erase(msg.source) != 0)
        return;
      auto i = st.ids.find(msg.source);
      if (i == st.ids.end())
        return;
      st.forget(i->second);
      st.rooms.erase(i->second);
      st.ids.erase(i);
    });
    return {
        [self](invoke_atom, const request_context& ctx, const value& payload) {
          responder r{ctx};
          if (ctx.session_id.empty())
            return r.fail("no_session", "room ops need a session");
          if (ctx.op == "room.create") {
            auto& st = self->state;
            if (st.rooms.size() >= st.setup.limits.max_rooms) {
              TETHER_LOG(debug, "rooms",
                         "room.create refused: the node holds "
                             << st.rooms.size() << " rooms (--max-rooms)");
              return r.retry(1000, "overloaded");
            }
            auto made = st.made_by.find(ctx.session_id);
            if (made != st.made_by.end() &&
                made->second >= st.setup.limits.max_rooms_per_session)
              return r.fail("forbidden",
                            "this session has made " +
                                std::to_string(made->second) +
                                " rooms that still exist, the most a session "
                                "may (--max-rooms-per-session)");
            std::string type;
            codec::get_string(payload, "type", type);
            auto setup = base_setup(self, type);
            if (auto problem = read_options(self, payload, setup);
                !problem.empty())
              return r.fail("invalid", problem);
            setup.creator =
                room_member{ctx.session_id, ctx.session, ctx.session_info, {}};
            auto id = launch(self, std::move(setup));
            st.creator_of.emplace(id, ctx.session_id);
            ++st.made_by[ctx.session_id];
            return r.reply(value::map({{"room", value::of(id)}}));
          }
          std::string id;
          if (!codec::get_string(payload, "room", id))
            return r.fail("invalid", "expected room: str");
          auto& st = self->state;
          auto i = st.rooms.find(id);
          if (i != st.rooms.end())
            return self->send(i->second, invoke_atom::value, ctx, payload);
          // A room of another node: its service takes the op there.
          auto there = room_node(self, id);
          if (!there)
            return r.fail("room_not_found", "no room '" + id + "'");
          self->send(there->services.rooms, invoke_atom::value, ctx, payload,
                     st.setup.relay);
        },
        [self](invoke_atom, const request_context& ctx, const value& payload,
               const room_relay_actor& relay) {
          std::string id;
          codec::get_string(payload, "room", id);
          auto& st = self->state;
          if (auto i = st.rooms.find(id); i != st.rooms.end())
            return self->send(i->second, invoke_atom::value, ctx, payload,
                              relay);
          // It moved from here: its new node takes the op.
          auto moved = st.moved.find(id);
          auto there = moved != st.moved.end() && st.peers
                           ? st.peers->serving(moved->second)
                           : nullptr;
          if (!there)
            return responder{ctx}.fail("room_not_found",
                                       "no room '" + id + "'");
          self->send(there->services.rooms, invoke_atom::value, ctx, payload,
                     relay);
        },
        [self](peers_atom, peer_table& peers) {
          self->state.peers = std::move(peers);
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
        [self](create_atom, const std::string& type, const value& props) {
          return create_by_node(
              self, value::map({{"type", value::of(type)}, {"props", props}}));
        },
        [self](migrate_atom, const std::string& id, const std::string& node,
               bool asked) { return migrate(self, id, node, asked); },
        [self](drain_atom) { return drain_into_cluster(self); },
        [self](create_atom, const value& options) {
          return create_by_node(self, options);
        },
        [self](list_atom, const std::string& after, uint64_t limit,
               bool asked) { return list_rooms(self, after, limit, asked); },
        [self](info_atom, const std::string& id, bool asked) {
          return room_info(self, id, asked);
        },
        [self](close_atom, const std::string& id,
               bool asked) -> caf::result<bool> {
          auto& st = self->state;
          if (auto i = st.rooms.find(id); i != st.rooms.end())
            return self->delegate(i->second, close_atom::value);
          return ask_others<bool>(self, asked, other_services(self),
                                  "room_not_found", close_atom::value, id);
        },
        [self](broadcast_atom, const std::string& id, const std::string& name,
               const value& payload, const room_delivery& how, bool asked) {
          return announce(self, id, name, payload, how, asked);
        },
        [self](import_atom, room_handover& x) -> caf::result<room_actor> {
          if (self->state.rooms.count(x.record.id))
            return caf::make_error(caf::sec::invalid_argument,
                                   "the room is here already");
          TETHER_LOG(debug, "rooms", "imported " << x.record.id);
          auto room = relaunch(self, std::move(x));
          // The old node forgets it only once this node's store has it.
          return answer_once_saved(self, room);
        },
        [self](moved_atom, const std::string& id, const std::string& node) {
          auto& st = self->state;
          if (node == st.setup.node_name)
            return; // It moved here: the import saw to it.
          if (auto i = st.rooms.find(id); i != st.rooms.end()) {
            st.ids.erase(i->second.address());
            st.leaving.emplace(i->second.address(), i->second);
            st.forget(id);
            st.rooms.erase(i);
          }
          st.moved[id] = node;
          // Every node learns where it went: the node that made it may be
          // gone (drained) when the next op for it comes.
          if (self->current_sender()->node() != self->node())
            return;
          for (auto& other : others_serving(
                   st.peers, [](const node_services& x) { return x.rooms; }))
            self->send(other, moved_atom::value, id, node);
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
