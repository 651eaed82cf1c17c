#include "tether/actors/cluster/connector.hpp"

#include <caf/typed_event_based_actor.hpp>

#include "tether/config/options.hpp"

namespace tether {

connector_actor spawn_connector(caf::actor_system& sys, cluster_actor cluster,
                                caf::io::middleman_actor middleman,
                                std::chrono::milliseconds timeout) {
  auto body =
      [=](connector_actor::pointer self) -> connector_actor::behavior_type {
    return {
        [=](caf::connect_atom, const std::string& address) {
          std::string host;
          uint16_t port = 0;
          if (!config::split_host_port(address, host, port)) {
            self->send(cluster, connected_atom::value, address,
                       caf::strong_actor_ptr{});
            return;
          }
          // await: the next address waits for this one, so an unreachable
          // host holds up only the connector, never the cluster actor.
          self->request(middleman, timeout, caf::connect_atom::value, host,
                        port)
              .await(
                  [=](const caf::node_id&, caf::strong_actor_ptr& ptr,
                      const std::set<std::string>&) {
                    self->send(cluster, connected_atom::value, address,
                               std::move(ptr));
                  },
                  [=](const caf::error&) {
                    self->send(cluster, connected_atom::value, address,
                               caf::strong_actor_ptr{});
                  });
        },
    };
  };
  return sys.spawn<caf::detached>(body);
}

} // namespace tether
