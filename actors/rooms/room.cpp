#include "tether/actors/rooms/room.hpp"

#include <ctime>
#include <optional>

#include <caf/actor_system.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "tether/actors/log.hpp"
#include "tether/actors/responder.hpp"
#include "tether/actors/rooms/room_props.hpp"
#include "tether/codec/encode.hpp"
#include "tether/codec/payload_fields.hpp"
#include "tether/store/batch.hpp"

namespace tether {

namespace {

using pointer = room_actor::stateful_pointer<room_state>;
using codec::value;
using entries = std::vector<std::pair<std::string, value>>;

std::vector<room_member>::iterator find_member(pointer self,
                                               const std::string& id) {
  auto& m = self->state.members;
  return std::find_if(m.begin(), m.end(),
                      [&id](const room_member& x) { return x.id == id; });
}

bool is_member(pointer self, const std::string& id) {
  return self->state.member_index.count(id) != 0;
}

value member_ids(pointer self) {
  std::vector<std::string> ids;
  for (const auto& m : self->state.members)
    ids.push_back(m.id);
  return value::of(ids);
}

value props_map(const std::map<std::string, value>& props) {
  return value::map(entries{props.begin(), props.end()});
}

/// The frame encoded once for every recipient, with its delivery class (a
/// `latest` key names this room too: keys of two rooms never meet).
encoded_frame encode_shared(pointer self, const codec::frame& frame,
                            const room_delivery& how) {
  encoded_frame x{transport::make_shared_bytes(codec::encode(frame)), how.kind,
                  nullptr};
  if (how.kind == delivery_class::latest)
    x.latest_key =
        transport::make_shared_bytes(self->state.setup.id + '\0' + how.key);
  return x;
}

/// Sends one encoded frame to every member but `except`: once to each
/// session of this node, once to each other node's relay.
void deliver_all(pointer self, const codec::frame& frame,
                 const std::string& except = {},
                 const room_delivery& how = {}) {
  auto& st = self->state;
  if (st.members.empty() || (st.members.size() == 1 && !except.empty() &&
                             st.members.front().id == except))
    return;
  auto shared = encode_shared(self, frame, how);
  for (const auto& m : st.members)
    if (!m.relay && m.id != except)
      self->send(m.session, push_atom::value, shared);
  for (const auto& r : st.relays)
    self->send(r.first, room_fanout{st.setup.id, shared, true, except, {}});
}

/// Sends one encoded frame to the members of `to` only: those of another
/// node through their node's relay, once per node.
void deliver_to(pointer self, const codec::frame& frame,
                const std::vector<const room_member*>& to,
                const room_delivery& how) {
  if (to.empty())
    return;
  auto& st = self->state;
  auto shared = encode_shared(self, frame, how);
  for (const auto* m : to)
    if (!m->relay)
      self->send(m->session, push_atom::value, shared);
  for (const auto& r : st.relays) {
    room_fanout x{st.setup.id, shared, false, {}, {}};
    for (const auto* m : to)
      if (m->relay && m->relay.address() == r.first.address())
        x.only.push_back(m->id);
    if (!x.only.empty())
      self->send(r.first, std::move(x));
  }
}

/// A room event: SIGNAL `name` with `fields` plus `room`, to every member
/// but `except`.
void event(pointer self, const std::string& name, entries fields,
           const std::string& except = {}) {
  fields.insert(fields.begin(), {"room", value::of(self->state.setup.id)});
  deliver_all(self, codec::signal{name, value::map(fields)}, except);
}

/// Counts a member of another node in its relay (`by` +1 or -1), and tells
/// the relay, in the room's order.
void count_relay(pointer self, const room_member& m, bool joined,
                 bool moved = false) {
  auto& relays = self->state.relays;
  auto i = std::find_if(relays.begin(), relays.end(), [&m](const auto& r) {
    return r.first.address() == m.relay.address();
  });
  if (joined) {
    if (i == relays.end())
      relays.emplace_back(m.relay, 1);
    else
      ++i->second;
  } else if (i != relays.end() && --i->second == 0) {
    relays.erase(i);
  }
  self->send(m.relay, relay_member{self->state.setup.id, m.id, m.session,
                                   joined, moved});
}

/// Saves the room's own fields (owner, emptiness, settings).
void save_room(pointer self) {
  auto& st = self->state;
  st.setup.store.save(self,
                      store::put_room{st.setup.id, st.setup.type, st.owner,
                                      st.setup.max_members, st.setup.ttl_s,
                                      st.setup.presence, st.empty_since_ms});
}

/// The room ends: the store and the members' sessions forget it.
void forget_room(pointer self) {
  auto& st = self->state;
  st.setup.store.save(self, store::drop_room{st.setup.id});
  for (const auto& m : st.members) {
    self->send(m.session, left_atom::value, st.setup.id);
    if (m.relay)
      count_relay(self, m, false);
  }
}

void add_member(pointer self, room_member m, uint64_t position = 0) {
  auto& st = self->state;
  self->monitor(m.session);
  if (position == 0) { // A new member, not a restored one.
    position = st.next_position;
    st.setup.store.save(
        self, store::add_member{st.setup.id, records::room_member_record{
                                                 m.id, m.info, position}});
  }
  st.next_position = std::max(st.next_position, position + 1);
  self->send(m.session, joined_atom::value, st.setup.id, room_actor{self});
  if (m.relay)
    count_relay(self, m, true);
  st.member_index.insert(m.id);
  st.members.push_back(std::move(m));
}

/// The room's empty-TTL starts: `left` of it remain.
void start_emptiness(pointer self, std::chrono::milliseconds left) {
  self->delayed_send(self, left, expire_atom::value, ++self->state.emptiness);
}

/// Removes a member; `left` tells the others with `room.left`. Hands the
/// room to the longest-standing member when the owner goes.
void remove_member(pointer self, const std::string& id, bool left) {
  auto& st = self->state;
  auto i = find_member(self, id);
  if (i == st.members.end())
    return;
  // The session may live on: its monitor would keep this room's memory.
  self->demonitor(i->session.address());
  self->send(i->session, left_atom::value, st.setup.id);
  if (i->relay)
    count_relay(self, *i, false);
  st.members.erase(i);
  st.member_index.erase(id);
  st.setup.store.save(self, store::remove_member{st.setup.id, id});
  if (st.setup.logic.logic)
    self->send(st.setup.logic.logic, left_atom::value, room_actor{self},
               st.setup.id, id);
  if (left && st.setup.presence)
    event(self, "room.left", {{"member", value::of(id)}});
  if (st.members.empty()) {
    st.owner.clear(); // The next to join owns the room.
    st.empty_since_ms = store::unix_ms();
    save_room(self);
    start_emptiness(self, std::chrono::seconds{st.setup.ttl_s});
    return;
  }
  if (st.owner == id) {
    st.owner = st.members.front().id;
    save_room(self);
    event(self, "room.owner", {{"owner", value::of(st.owner)}});
  }
}

bool same_value(const value& x, const value& y);

/// Sets (nil: removes) a property; false when that changes nothing.
bool set_prop(pointer self, const std::string& key, const value& v) {
  auto& props = self->state.props;
  auto i = props.find(key);
  if (v.is_nil()) {
    if (i == props.end())
      return false;
    props.erase(i);
  } else {
    if (i != props.end() && same_value(i->second, v))
      return false;
    props[key] = v;
  }
  self->state.setup.store.save(self,
                               store::set_prop{self->state.setup.id, key, v});
  return true;
}

/// Why these changes would take the room over the node's limits on
/// properties, or empty.
std::string over_limits(pointer self, const entries& changes) {
  auto& st = self->state;
  return props_over_limits(st.props, changes, st.setup.limits);
}

bool same_value(const value& x, const value& y) {
  try {
    return x.unpack().get() == y.unpack().get();
  } catch (const std::exception&) {
    return x == y;
  }
}

// -- the ops
// -------------------------------------------------------------------

void admit(pointer self, const request_context& ctx, const responder& r,
           const room_relay_actor& relay) {
  auto& st = self->state;
  if (!is_member(self, ctx.session_id)) {
    if (st.members.size() >= st.setup.max_members)
      return r.fail("room_full", "the room has " +
                                     std::to_string(st.setup.max_members) +
                                     " members, its maximum");
    add_member(self, {ctx.session_id, ctx.session, ctx.session_info, relay});
    ++st.emptiness; // Cancels a pending TTL.
    if (st.owner.empty()) {
      st.owner = ctx.session_id;
      st.empty_since_ms = 0;
      save_room(self);
    }
    if (st.setup.presence)
      event(self, "room.joined",
            {{"member", value::of(ctx.session_id)}, {"info", ctx.session_info}},
            ctx.session_id);
    if (st.setup.logic.logic)
      self->send(st.setup.logic.logic, joined_atom::value, room_actor{self},
                 st.setup.id, ctx.session_id);
  }
  r.reply(value::map(
      {{"room", value::of(st.setup.id)},
       {"members",
        st.setup.presence ? member_ids(self) : value::of(std::vector<int>{})},
       {"props", props_map(st.props)}}));
}

/// A join, asked of the room's logic first when it has one.
void join(pointer self, const request_context& ctx, const responder& r,
          const room_relay_actor& relay) {
  auto& st = self->state;
  auto& logic = st.setup.logic.logic;
  if (!logic || is_member(self, ctx.session_id) ||
      st.members.size() >= st.setup.max_members)
    return admit(self, ctx, r, relay);
  self->request(logic, std::chrono::seconds{5}, join_atom::value,
                room_actor{self}, st.setup.id, ctx.session_id, ctx.session_info)
      .then(
          [self, ctx, r, relay](bool allowed) {
            if (!allowed)
              return r.fail("forbidden", "the room refused this member");
            admit(self, ctx, r, relay);
          },
          [r](const caf::error&) {
            r.fail("internal", "the room's logic did not answer");
          });
}

/// What room.info answers.
value info_of(pointer self) {
  auto& st = self->state;
  return value::map({{"room", value::of(st.setup.id)},
                     {"type", value::of(st.setup.type)},
                     {"owner", value::of(st.owner)},
                     {"members", member_ids(self)},
                     {"max_members", value::of(st.setup.max_members)},
                     {"props", props_map(st.props)}});
}

void kick(pointer self, const request_context& ctx, const value& payload,
          const responder& r) {
  if (self->state.owner != ctx.session_id)
    return r.fail("not_owner", "only the owner may kick");
  std::string target;
  if (!codec::get_string(payload, "member", target))
    return r.fail("invalid", "expected {room, member: str}");
  if (!is_member(self, target))
    return r.fail("not_member", "'" + target + "' is not a member");
  event(self, "room.kicked", {{"member", value::of(target)}});
  remove_member(self, target, false);
  r.reply(value::empty_map());
}

void invite(pointer self, const request_context& ctx, const value& payload,
            const responder& r) {
  auto& st = self->state;
  std::vector<std::string> invitees;
  if (!codec::get_strings(payload, "members", invitees))
    return r.fail("invalid", "expected {room, members: [str], ttl_s, payload}");
  uint64_t ttl = st.setup.limits.invite_ttl_s;
  codec::get_uint(payload, "ttl_s", ttl);
  auto expires = static_cast<uint64_t>(std::time(nullptr)) + ttl;
  auto frame =
      codec::signal{"room.invited",
                    value::map({{"room", value::of(st.setup.id)},
                                {"from", value::of(ctx.session_id)},
                                {"payload", codec::lookup(payload, "payload")},
                                {"expires", value::of(expires)}})};
  encoded_frame bytes{transport::make_shared_bytes(codec::encode(frame))};
  // An invite is a notice, not a reservation: unknown ids are skipped
  // without saying so, which tells nobody which sessions exist.
  for (const auto& id : invitees)
    self->request(st.setup.sessions, std::chrono::seconds{5}, get_atom::value,
                  id)
        .then(
            [self, bytes](const session_actor& session) {
              if (session)
                self->send(session, push_atom::value, bytes);
            },
            [](const caf::error&) {});
  r.reply(value::empty_map());
}

void message(pointer self, const request_context& ctx, const value& payload,
             const responder& r, bool broadcast) {
  std::string name;
  if (!codec::get_string(payload, "name", name))
    return r.fail("invalid", "expected a name (str)");
  room_delivery how;
  if (auto problem = read_delivery(payload, how); !problem.empty())
    return r.fail("invalid", problem);
  codec::room_message frame{self->state.setup.id, ctx.session_id, name,
                            codec::lookup(payload, "payload")};
  if (broadcast) {
    bool exclude_self = false;
    codec::get_bool(payload, "exclude_self", exclude_self);
    deliver_all(self, frame, exclude_self ? ctx.session_id : std::string{},
                how);
  } else {
    std::vector<std::string> names;
    if (!codec::get_strings(payload, "to", names))
      return r.fail("invalid", "expected to: [str]");
    std::vector<const room_member*> to;
    for (const auto& m : self->state.members)
      if (std::find(names.begin(), names.end(), m.id) != names.end())
        to.push_back(&m);
    deliver_to(self, frame, to, how);
  }
  r.reply(value::empty_map());
}

void props_get(pointer self, const value& payload, const responder& r) {
  auto& props = self->state.props;
  std::vector<std::string> keys;
  if (!codec::get_strings(payload, "keys", keys))
    return r.reply(value::map({{"props", props_map(props)}}));
  std::map<std::string, value> some;
  for (const auto& k : keys)
    if (auto i = props.find(k); i != props.end())
      some.insert(*i);
  r.reply(value::map({{"props", props_map(some)}}));
}

void props_changed(pointer self, entries changed) {
  if (!changed.empty())
    event(self, "room.props", {{"changed", value::map(changed)}});
}

void props_set(pointer self, const value& payload, const responder& r) {
  entries given;
  if (!codec::map_entries(codec::lookup(payload, "props"), given))
    return r.fail("invalid", "expected props: map");
  for (const auto& kv : given)
    if (!codec::is_plain(kv.second))
      return r.fail("invalid",
                    "property '" + kv.first + "' is not a plain value");
  bool if_absent = false;
  codec::get_bool(payload, "if_absent", if_absent);
  entries wanted;
  for (const auto& kv : given)
    if (!if_absent || self->state.props.count(kv.first) == 0)
      wanted.push_back(kv);
  if (auto problem = over_limits(self, wanted); !problem.empty())
    return r.fail("invalid", problem);
  entries changed;
  std::vector<std::string> set;
  for (const auto& kv : wanted) {
    set.push_back(kv.first);
    if (set_prop(self, kv.first, kv.second))
      changed.push_back(kv); // The event holds what really changed.
  }
  r.reply(value::map({{"set", value::of(set)}}));
  props_changed(self, std::move(changed));
}

void props_cas(pointer self, const value& payload, const responder& r) {
  std::string key;
  if (!codec::get_string(payload, "key", key))
    return r.fail("invalid", "expected {room, key, expect, value}");
  auto expect = codec::lookup(payload, "expect");
  auto next = codec::lookup(payload, "value");
  if (!codec::is_plain(next))
    return r.fail("invalid", "value is not a plain value");
  auto& props = self->state.props;
  auto i = props.find(key);
  value current = i == props.end() ? value{} : i->second;
  if (!same_value(current, expect))
    return r.fail("conflict", "'" + key + "' is not the expected value");
  if (auto problem = over_limits(self, {{key, next}}); !problem.empty())
    return r.fail("invalid", problem);
  bool changed = set_prop(self, key, next);
  r.reply(value::map({{"value", next}}));
  if (changed)
    props_changed(self, {{key, next}});
}

void props_incr(pointer self, const value& payload, const responder& r) {
  std::string key;
  int64_t by = 1;
  if (!codec::get_string(payload, "key", key))
    return r.fail("invalid", "expected {room, key, by: int}");
  if (!codec::lookup(payload, "by").is_nil() &&
      !codec::get_int(payload, "by", by))
    return r.fail("invalid", "by must be an integer");
  auto& props = self->state.props;
  int64_t current = 0;
  if (auto i = props.find(key); i != props.end())
    if (!i->second.convert_to(current))
      return r.fail("invalid", "'" + key + "' does not hold an integer");
  int64_t sum = 0;
  if (__builtin_add_overflow(current, by, &sum))
    return r.fail("invalid", "'" + key + "' would overflow");
  auto next = value::of(sum);
  if (auto problem = over_limits(self, {{key, next}}); !problem.empty())
    return r.fail("invalid", problem);
  set_prop(self, key, next);
  r.reply(value::map({{"value", next}}));
  props_changed(self, {{key, next}});
}

/// The room ends, after its members were told: the store forgets it.
void end_room(pointer self) {
  forget_room(self);
  self->quit();
}

void remove_room(pointer self, const responder& r) {
  if (self->state.owner != r.context().session_id)
    return r.fail("not_owner", "only the owner may delete the room");
  event(self, "room.deleted", {});
  r.reply(value::empty_map());
  end_room(self);
}

/// Runs a room.* op; `relay` is the requester's node's (invalid: this
/// node).
void perform(pointer self, const request_context& ctx, const value& payload,
             const room_relay_actor& relay) {
  responder r{ctx};
  const auto& op = ctx.op;
  if (op == "room.join")
    return join(self, ctx, r, relay);
  if (op == "room.info")
    return r.reply(info_of(self));
  // Everything else is for members, checked before anything else.
  if (!is_member(self, ctx.session_id))
    return r.fail("not_member", "not a member of this room");
  if (op == "room.leave") {
    remove_member(self, ctx.session_id, true);
    return r.reply(value::empty_map());
  }
  if (op == "room.kick")
    return kick(self, ctx, payload, r);
  if (op == "room.invite")
    return invite(self, ctx, payload, r);
  if (op == "room.broadcast")
    return message(self, ctx, payload, r, true);
  if (op == "room.send")
    return message(self, ctx, payload, r, false);
  if (op == "room.props.get")
    return props_get(self, payload, r);
  if (op == "room.props.set")
    return props_set(self, payload, r);
  if (op == "room.props.cas")
    return props_cas(self, payload, r);
  if (op == "room.props.incr")
    return props_incr(self, payload, r);
  if (op == "room.delete")
    return remove_room(self, r);
  r.fail("unknown_op", "no op named '" + op + "'");
}

/// A new room: saved whole, with its creator as first member.
void start_new(pointer self, const room_setup& setup) {
  auto& st = self->state;
  st.owner = setup.creator.id;
  if (setup.creator.id.empty()) // Made by the node: empty until one joins.
    st.empty_since_ms = store::unix_ms();
  save_room(self);
  for (const auto& kv : setup.props)
    set_prop(self, kv.first, kv.second);
  if (!setup.creator.id.empty())
    add_member(self, setup.creator);
  else
    start_emptiness(self, std::chrono::seconds{setup.ttl_s});
}

/// A room from the store: members whose session is gone are dropped, and
/// an empty room's TTL continues from when it became empty.
void start_restored(pointer self, const room_restore& restored) {
  auto& st = self->state;
  const auto& r = restored.record;
  st.props = r.props;
  st.owner = r.owner;
  st.empty_since_ms = r.empty_since_ms;
  if (restored.imported)
    for (const auto& kv : r.props)
      st.setup.store.save(self, store::set_prop{r.id, kv.first, kv.second});
  for (size_t i = 0; i < r.members.size(); ++i) {
    const auto& m = r.members[i];
    if (i < restored.sessions.size() && restored.sessions[i]) {
      // Migrated: a member of another node than this one is reached
      // through that node's relay.
      room_relay_actor relay;
      if (i < restored.relays.size() && restored.relays[i] &&
          restored.relays[i].node() != self->node())
        relay = restored.relays[i];
      if (restored.imported)
        st.setup.store.save(self, store::add_member{r.id, m});
      add_member(self, {m.id, restored.sessions[i], m.info, relay}, m.position);
    } else if (!restored.imported) {
      st.setup.store.save(self, store::remove_member{r.id, m.id});
    }
  }
  if (!st.members.empty() && !st.member_index.count(st.owner))
    st.owner = st.members.front().id;
  if (st.members.empty()) {
    st.owner.clear();
    if (st.empty_since_ms == 0)
      st.empty_since_ms = store::unix_ms();
  } else {
    st.empty_since_ms = 0;
  }
  save_room(self);
  if (st.members.empty()) {
    auto now = store::unix_ms();
    auto gone = now > st.empty_since_ms ? now - st.empty_since_ms : 0;
    auto ttl = st.setup.ttl_s * 1000;
    start_emptiness(self,
                    std::chrono::milliseconds{ttl > gone ? ttl - gone : 0});
  }
}

// -- migration ----------------------------------------------------------------

/// The room as a value, with how each member is reached from another node.
room_handover handover_of(pointer self) {
  auto& st = self->state;
  room_handover x;
  auto& r = x.record;
  r.id = st.setup.id;
  r.type = st.setup.type;
  r.owner = st.owner;
  r.max_members = st.setup.max_members;
  r.ttl_s = st.setup.ttl_s;
  r.presence = st.setup.presence;
  r.props = st.props;
  r.empty_since_ms = st.empty_since_ms;
  uint64_t position = 0;
  for (const auto& m : st.members) {
    r.members.push_back({m.id, m.info, ++position});
    x.sessions.push_back(m.session);
    x.relays.push_back(m.relay ? m.relay : st.setup.relay);
  }
  x.imported = true;
  return x;
}

/// Whether the room is moving or moved: what reaches it is then diverted
/// (checked first, so the common path copies nothing).
bool leaving(pointer self) {
  return self->state.moving || self->state.moved_to;
}

/// What reaches a room that is leaving: `f` sends it to the new actor, now
/// if the room moved, else once the move ended (to this actor if it
/// failed).
void divert(pointer self, std::function<void(const room_actor&)> f) {
  auto& st = self->state;
  if (st.moved_to)
    return f(st.moved_to);
  st.held.push_back(std::move(f));
}

/// The move ended: what waited goes to `to` (this actor if it failed).
void release_held(pointer self, const room_actor& to) {
  auto& st = self->state;
  st.moving = false;
  for (auto& f : std::exchange(st.held, {}))
    f(to);
}

/// The new node serves the room: this actor forwards what still reaches
/// it for a while, and this node forgets the room.
void moved_away(pointer self, const room_actor& there,
                const node_services_ref& to, const std::string& node) {
  auto& st = self->state;
  st.moved_to = there;
  // Members of the new node are reached directly from now on: its relay
  // forgets them. Every other relay counts its members again, from there.
  for (const auto& m : st.members) {
    self->demonitor(m.session.address());
    if (m.relay && m.relay.address() == to->relay.address())
      self->send(m.relay,
                 relay_member{st.setup.id, m.id, m.session, false, false});
  }
  st.setup.store.save(self, store::drop_room{st.setup.id});
  self->send(caf::actor_cast<room_service_actor>(st.setup.service),
             moved_atom::value, st.setup.id, node);
  release_held(self, there);
  TETHER_LOG(info, "rooms", st.setup.id << " moved to " << node);
  // Ops sent before the service learned of the move still come here.
  self->delayed_send(self, std::chrono::seconds{30}, expire_atom::value,
                     uint64_t{0});
}

/// Holds the room's ops, lets every relay pass on what it was sent, ships
/// the room to `to` and lets go once it has it.
caf::result<bool> migrate(pointer self, node_services_ref to,
                          const std::string& node) {
  auto& st = self->state;
  if (st.moving || st.moved_to)
    return false;
  st.moving = true;
  auto done = self->make_response_promise<bool>();
  auto ship = [self, to, node, done]() mutable {
    self->request(to->rooms, std::chrono::seconds{10}, import_atom::value,
                  handover_of(self))
        .then(
            [self, to, node, done](const room_actor& there) mutable {
              moved_away(self, there, to, node);
              done.deliver(true);
            },
            [self, node, done](const caf::error& err) mutable {
              TETHER_LOG(warning, "rooms",
                         self->state.setup.id
                             << " stays: " << node << " did not take it ("
                             << self->system().render(err) << ")");
              release_held(self, room_actor{self});
              done.deliver(false);
            });
  };
  auto left = std::make_shared<size_t>(st.relays.size());
  if (*left == 0) {
    ship();
    return done;
  }
  // A frame sent through a relay before the move must not be overtaken by
  // one the new node sends through it.
  auto one_done = [left, ship]() mutable {
    if (--*left == 0)
      ship();
  };
  for (const auto& r : st.relays)
    self->request(r.first, std::chrono::seconds{5}, flush_atom::value)
        .then([one_done](bool) mutable { one_done(); },
              [one_done](const caf::error&) mutable { one_done(); });
  return done;
}

/// ROOM_MESSAGE `name` to every member from the node itself (empty
/// `from`): the room's logic or another behavior speaks.
void announce(pointer self, const std::string& name, const value& payload,
              const room_delivery& how) {
  if (leaving(self))
    return divert(self, [self, name, payload, how](const room_actor& to) {
      self->send(to, broadcast_atom::value, name, payload, how);
    });
  deliver_all(self,
              codec::room_message{self->state.setup.id, "", name, payload}, {},
              how);
}

room_actor spawn_room_actor(caf::actor_system& sys, room_setup setup,
                            std::optional<room_restore> restored) {
  return sys.spawn([setup,
                    restored](pointer self) -> room_actor::behavior_type {
    auto& st = self->state;
    st.setup = setup;
    if (restored) {
      start_restored(self, *restored);
    } else {
      start_new(self, setup);
    }
    if (setup.logic.logic && setup.logic.tick.count() > 0)
      self->delayed_send(self, setup.logic.tick, tick_atom::value);
    // The service stops its rooms when it stops.
    self->set_down_handler([self](caf::down_msg& msg) {
      // A member's session ended (expired, closed, failed): it leaves.
      std::vector<std::string> gone;
      for (const auto& m : self->state.members)
        if (m.session.address() == msg.source)
          gone.push_back(m.id);
      for (const auto& id : gone)
        remove_member(self, id, true);
    });
    return {
        [self](invoke_atom, const request_context& ctx, const value& payload) {
          if (leaving(self))
            return divert(self, [self, ctx, payload](const room_actor& to) {
              self->send(to, invoke_atom::value, ctx, payload);
            });
          perform(self, ctx, payload, {});
        },
        [self](invoke_atom, const request_context& ctx, const value& payload,
               const room_relay_actor& relay) {
          if (leaving(self))
            return divert(
                self, [self, ctx, payload, relay](const room_actor& to) {
                  self->send(to, invoke_atom::value, ctx, payload, relay);
                });
          perform(self, ctx, payload, relay);
        },
        [self](migrate_atom, node_services_ref to, const std::string& node) {
          return migrate(self, std::move(to), node);
        },
        [self](info_atom) { return info_of(self); },
        [self](close_atom) -> caf::result<bool> {
          if (leaving(self))
            return caf::make_error(caf::sec::invalid_argument,
                                   "conflict: the room is moving");
          event(self, "room.deleted", {});
          end_room(self);
          return true;
        },
        [self](saved_atom) {
          auto promise = self->make_response_promise<bool>();
          self->state.setup.store.after_saved(
              self, [promise]() mutable { promise.deliver(true); });
          return promise;
        },
        [self](tick_atom) {
          auto& st = self->state;
          if (st.moved_to)
            return; // It ticks there now.
          self->send(st.setup.logic.logic, tick_atom::value, room_actor{self},
                     st.setup.id);
          self->delayed_send(self, st.setup.logic.tick, tick_atom::value);
        },
        [self](broadcast_atom, const std::string& name, const value& payload) {
          announce(self, name, payload, room_delivery::keep());
        },
        [self](broadcast_atom, const std::string& name, const value& payload,
               const room_delivery& how) {
          announce(self, name, payload, how);
        },
        [self](idle_atom, const std::string& member, bool away) {
          if (leaving(self))
            return divert(self, [self, member, away](const room_actor& to) {
              self->send(to, idle_atom::value, member, away);
            });
          // Only members' sessions know of the room: this one is a member,
          // unless it left since.
          if (self->state.setup.presence && is_member(self, member))
            event(self, away ? "room.away" : "room.back",
                  {{"member", value::of(member)}}, member);
        },
        [self](const member_moved& x) -> caf::result<bool> {
          if (leaving(self)) { // The room's new actor answers.
            auto promise = self->make_response_promise<bool>();
            divert(self, [self, x, promise](const room_actor& to) mutable {
              self->request(to, std::chrono::seconds{5}, x)
                  .then([promise](bool b) mutable { promise.deliver(b); },
                        [promise](const caf::error& e) mutable {
                          promise.deliver(e);
                        });
            });
            return promise;
          }
          const auto& there = x.session;
          const auto& relay = x.relay;
          auto i = find_member(self, x.member);
          if (i == self->state.members.end())
            return false;
          self->demonitor(i->session.address());
          // The old actor learns when the last frame sent to it is out, on
          // the path that frame took.
          if (i->relay)
            count_relay(self, *i, false, true);
          else
            self->send(i->session, switched_atom::value, self->state.setup.id);
          i->session = there;
          // A session now on this node needs no relay.
          i->relay = relay && relay.node() != self->node() ? relay
                                                           : room_relay_actor{};
          if (i->relay)
            count_relay(self, *i, true);
          self->monitor(there);
          self->send(there, joined_atom::value, self->state.setup.id,
                     room_actor{self});
          return true;
        },
        [self](expire_atom, uint64_t emptiness) {
          auto& st = self->state;
          if (st.moved_to) { // Done forwarding: the new node has it all.
            self->quit();
            return;
          }
          if (st.moving)
            return;
          if (st.members.empty() && emptiness == st.emptiness) {
            TETHER_LOG(debug, "rooms",
                       st.setup.id << " deleted: empty for " << st.setup.ttl_s
                                   << " s");
            forget_room(self);
            self->quit();
          }
        },
    };
  });
}

} // namespace

room_actor spawn_room(caf::actor_system& sys, room_setup setup) {
  return spawn_room_actor(sys, std::move(setup), std::nullopt);
}

room_actor restore_room(caf::actor_system& sys, room_setup setup,
                        room_restore restored) {
  return spawn_room_actor(sys, std::move(setup), std::move(restored));
}

} // namespace tether
