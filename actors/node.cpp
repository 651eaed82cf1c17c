#include "tether/actors/node.hpp"

#include <caf/actor_system.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "tether/actors/log.hpp"
#include "tether/actors/stop_children.hpp"

namespace tether {

namespace {

using pointer = node_actor::stateful_pointer<node_state>;

void finish_drain_if_done(pointer self) {
  auto& st = self->state;
  if (!st.draining || !st.connections.empty())
    return;
  for (auto& w : st.drain_waiters)
    w.deliver(true);
  st.drain_waiters.clear();
}

node_actor::behavior_type node_behavior(pointer self, std::string node_name) {
  self->state.node_name = std::move(node_name);
  self->state.started = std::chrono::steady_clock::now();
  self->set_down_handler([self](caf::down_msg& msg) {
    self->state.connections.erase(msg.source);
    finish_drain_if_done(self);
  });
  stop_children_on_exit(self, [self](auto stop) {
    for (auto& kv : self->state.connections)
      stop(kv.second);
  });
  return {
      [self](joined_atom, connection_actor conn) {
        auto& st = self->state;
        self->monitor(conn);
        st.connections.emplace(conn.address(), conn);
        if (st.draining) // Raced the drain: send it after the others.
          self->send(conn, drain_atom::value, st.redirect);
      },
      [self](stats_atom) {
        auto& st = self->state;
        auto up = std::chrono::steady_clock::now() - st.started;
        node_stats x;
        x.node = st.node_name;
        x.uptime_s = static_cast<uint64_t>(
            std::chrono::duration_cast<std::chrono::seconds>(up).count());
        x.connections = st.connections.size();
        return x;
      },
      [self](drain_atom, const std::string& redirect) -> caf::result<bool> {
        auto& st = self->state;
        if (!st.draining) {
          st.draining = true;
          st.redirect = redirect;
          TETHER_LOG(info, "node",
                     "draining " << st.connections.size() << " connection(s)");
          for (auto& kv : st.connections)
            self->send(kv.second, drain_atom::value, redirect);
        }
        if (st.connections.empty())
          return true;
        auto promise = self->make_response_promise<bool>();
        st.drain_waiters.push_back(promise);
        return promise;
      },
  };
}

} // namespace

node_actor spawn_node(caf::actor_system& sys, std::string node_name) {
  return sys.spawn(node_behavior, std::move(node_name));
}

} // namespace tether
