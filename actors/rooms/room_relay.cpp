#include "tether/actors/rooms/room_relay.hpp"

#include <algorithm>

#include <caf/typed_event_based_actor.hpp>

#include "tether/actors/cluster/peers.hpp"

namespace tether {

namespace {

using pointer = room_relay_actor::stateful_pointer<room_relay_state>;

bool wanted(const room_fanout& x, const std::string& member) {
  if (x.everyone)
    return member != x.except;
  return std::find(x.only.begin(), x.only.end(), member) != x.only.end();
}

} // namespace

room_relay_actor spawn_room_relay(caf::actor_system& sys) {
  return sys.spawn([](pointer self) -> room_relay_actor::behavior_type {
    return {
        [self](relay_member& x) {
          auto& rooms = self->state.rooms;
          auto& r = rooms[x.room];
          auto& m = r.members;
          if (x.joined) {
            // A room that moved counts its members again, from its new
            // node: a member known already is the same one.
            r.node = self->current_sender()->node();
            auto known = std::find_if(m.begin(), m.end(), [&x](const auto& e) {
              return e.first == x.member;
            });
            if (known != m.end())
              known->second = std::move(x.session);
            else
              m.emplace_back(std::move(x.member), std::move(x.session));
            return;
          }
          m.erase(std::remove_if(
                      m.begin(), m.end(),
                      [&x](const auto& e) { return e.first == x.member; }),
                  m.end());
          if (m.empty())
            rooms.erase(x.room);
          // All the room sent before is on its way to the old session, on
          // this path: so is the news that nothing more comes this way.
          if (x.moved)
            self->send(x.session, switched_atom::value, x.room);
        },
        [self](const room_fanout& x) {
          auto i = self->state.rooms.find(x.room);
          if (i == self->state.rooms.end())
            return;
          for (const auto& [id, session] : i->second.members)
            if (wanted(x, id))
              self->send(session, push_atom::value, x.frame);
        },
        [](flush_atom) { return true; },
        [self](peers_atom, const peer_table& peers) {
          // A room whose node is down: its members here are none any more.
          std::vector<caf::node_id> up;
          for (const auto& kv : peers->nodes)
            if (kv.second.entry.state != "down" && kv.second.services.relay)
              up.push_back(kv.second.services.relay.node());
          auto& rooms = self->state.rooms;
          for (auto i = rooms.begin(); i != rooms.end();)
            if (std::find(up.begin(), up.end(), i->second.node) == up.end())
              i = rooms.erase(i);
            else
              ++i;
        },
    };
  });
}

} // namespace tether
