// A chat node: one lobby room that the node itself makes, with server-side
// logic. `chat.lobby` answers the lobby's room id; the logic turns away
// anonymous members (no name in the session info), greets those who join
// and says how many are here every 30 s.
//
//   chat_node --listen 127.0.0.1:9000
//   chat_client ws://127.0.0.1:9000/ws ada

#include <algorithm>
#include <iostream>
#include <map>

#include <caf/typed_event_based_actor.hpp>

#include "tether/actors/function_behavior.hpp"
#include "tether/actors/responder.hpp"
#include "tether/actors/runtime.hpp"

using namespace tether;
using codec::value;

namespace {

struct chat_logic_state {
  static inline const char* name = "chat.logic";
  std::map<std::string, std::string> names; // member id -> name
};

/// The lobby's logic: a room type's server side.
room_logic_actor::behavior_type
chat_logic(room_logic_actor::stateful_pointer<chat_logic_state> self) {
  auto say = [self](room_actor room, const std::string& text) {
    self->send(room, broadcast_atom::value, std::string{"chat.system"},
               value::map({{"text", value::of(text)}}));
  };
  return {
      [self](join_atom, room_actor, const std::string&,
             const std::string& member, const value& info) {
        std::string name;
        if (!codec::lookup(info, "name").convert_to(name) || name.empty())
          return false; // ERROR forbidden for the anonymous
        self->state.names[member] = name;
        return true;
      },
      [self, say](joined_atom, room_actor room, const std::string&,
                  const std::string& member) {
        say(room, self->state.names[member] + " joined");
      },
      [self, say](left_atom, room_actor room, const std::string&,
                  const std::string& member) {
        say(room, self->state.names[member] + " left");
        self->state.names.erase(member);
      },
      [self, say](tick_atom, room_actor room, const std::string&) {
        say(room, std::to_string(self->state.names.size()) + " here");
      },
  };
}

struct lobby_state {
  static inline const char* name = "chat.lobby";
  std::string room;
  std::vector<responder> waiting;
};

/// `chat.lobby`: makes the lobby on first use, then names it.
behavior_actor::behavior_type
lobby(behavior_actor::stateful_pointer<lobby_state> self, runtime* node) {
  return requests_only([self, node](invoke_atom, const request_context& ctx,
                                    const value&) {
    auto& st = self->state;
    if (!st.room.empty())
      return responder{ctx}.reply(value::of(st.room));
    st.waiting.emplace_back(ctx);
    if (st.waiting.size() > 1)
      return; // Being made already.
    self->request(node->rooms(), std::chrono::seconds{5}, create_atom::value,
                  std::string{"chat"}, value::empty_map())
        .then(
            [self](const std::string& id) {
              self->state.room = id;
              for (auto& r : std::exchange(self->state.waiting, {}))
                r.reply(value::of(id));
            },
            [self](const caf::error&) {
              for (auto& r : std::exchange(self->state.waiting, {}))
                r.fail("internal", "no lobby");
            });
  });
}

} // namespace

int main(int argc, char** argv) {
  auto parsed = config::parse(argc, argv, "chat_node");
  if (!parsed.opts) {
    (parsed.exit_code == 0 ? std::cout : std::cerr) << parsed.text << '\n';
    return parsed.exit_code;
  }
  // The lobby lives as long as the node.
  // (Above --room-max-ttl-s's default of 30 days, which caps it: raised
  // with it, or room.create refuses the lobby.)
  parsed.opts->lim.room_ttl_s = 365 * 24 * 3600;
  parsed.opts->lim.room_max_ttl_s =
      std::max(parsed.opts->lim.room_max_ttl_s, parsed.opts->lim.room_ttl_s);
  runtime node{*parsed.opts};
  node.add_room_type("chat", node.system().spawn(chat_logic),
                     std::chrono::seconds{30});
  node.add_behavior("chat.lobby", node.system().spawn(lobby, &node));
  if (auto ec = node.start()) {
    std::cerr << "cannot listen: " << ec.message() << '\n';
    return 1;
  }
  std::cout << "chat_node listening on " << node.url() << std::endl;
  node.run_until_signal();
  return 0;
}
