#include "tether/actors/cluster/cluster.hpp"

#include <caf/typed_event_based_actor.hpp>

#include "tether/actors/cluster/connector.hpp"
#include "tether/actors/log.hpp"
#include "tether/security/crypto.hpp"

namespace tether {

std::string cluster_proof(const std::string& secret, const node_entry& self) {
  return security::to_hex(
      security::hmac_sha256(secret, "tether cluster 1\n" + self.name + "\n" +
                                        self.url + "\n" + self.address));
}

namespace {

using pointer = cluster_actor::stateful_pointer<cluster_state>;

bool proven(pointer self, const node_hello& h) {
  return security::equal_constant_time(
      h.proof, cluster_proof(self->state.setup.secret, h.self));
}

/// The members up (or draining), as the others should hear of them.
std::vector<node_entry> members_up(pointer self) {
  std::vector<node_entry> result;
  for (const auto& kv : self->state.members)
    if (kv.second.entry.state != "down")
      result.push_back(kv.second.entry);
  return result;
}

node_hello own_hello(pointer self) {
  auto& st = self->state;
  node_hello h;
  h.self = st.setup.self;
  h.proof = cluster_proof(st.setup.secret, h.self);
  h.services = st.setup.services;
  h.known = members_up(self);
  return h;
}

/// Of two nodes that hear of each other, the one with the smaller name
/// connects: never both at once.
bool connects_to(pointer self, const std::string& name) {
  return self->state.setup.self.name < name;
}

void connect(pointer self, const std::string& address) {
  auto& st = self->state;
  if (!st.setup.middleman || !st.connecting.insert(address).second)
    return;
  self->send(st.connector, caf::connect_atom::value, address);
}

std::vector<node_entry> everyone(pointer self) {
  std::vector<node_entry> result{self->state.setup.self};
  for (const auto& kv : self->state.members)
    result.push_back(kv.second.entry);
  return result;
}

/// Tells the node's services and every member up what changed.
void changed(pointer self) {
  auto& st = self->state;
  auto table = std::make_shared<cluster_peers>();
  table->self = st.setup.self.name;
  for (const auto& kv : st.members)
    table->nodes.emplace(
        kv.first, cluster_peers::peer{kv.second.entry, kv.second.services});
  peer_table shared = table;
  for (const auto& s : st.subscribers)
    self->send(s, peers_atom::value, shared);
  auto list = members_up(self);
  list.insert(list.begin(), st.setup.self);
  for (const auto& kv : st.members)
    if (kv.second.handle && kv.second.entry.state != "down")
      self->send(kv.second.handle, members_atom::value, list);
}

void hear(pointer self, const node_entry& e) {
  auto& st = self->state;
  if (e.name == st.setup.self.name || e.address.empty())
    return;
  auto i = st.members.find(e.name);
  if (i != st.members.end() && i->second.entry.state != "down")
    return;
  st.heard[e.name] = e;
  if (connects_to(self, e.name))
    connect(self, e.address);
}

/// A node whose hello checked becomes (or is again) a member.
void admit(pointer self, const node_hello& h, cluster_actor handle) {
  auto& st = self->state;
  auto& m = st.members[h.self.name];
  bool fresh = !m.handle || m.handle.address() != handle.address();
  bool news =
      fresh || m.entry.state != h.self.state || m.entry.url != h.self.url;
  if (fresh) {
    if (m.handle)
      self->demonitor(m.handle.address());
    self->monitor(handle);
    TETHER_LOG(info, "cluster",
               "node '" << h.self.name << "' "
                        << (m.entry.name.empty() ? "joined" : "is back")
                        << " (cluster " << h.self.address << ", clients "
                        << h.self.url << ")");
  }
  m.entry = h.self;
  m.handle = std::move(handle);
  m.services = h.services;
  st.heard.erase(h.self.name);
  st.failing.erase(h.self.address);
  for (const auto& e : h.known)
    hear(self, e);
  if (news)
    changed(self);
}

void reached(pointer self, const std::string& address,
             const caf::strong_actor_ptr& ptr) {
  auto& st = self->state;
  st.connecting.erase(address);
  if (!ptr) {
    if (st.failing.insert(address).second)
      TETHER_LOG(warning, "cluster",
                 "cannot reach " << address << "; trying again every "
                                 << st.setup.retry.count() << " ms");
    return;
  }
  auto handle = caf::actor_cast<cluster_actor>(ptr);
  if (handle.node() == self->node())
    return; // Joined itself.
  self->request(handle, st.setup.timeout, hello_atom::value, own_hello(self))
      .then(
          [self, address, handle](node_hello& h) {
            auto& st = self->state;
            if (!proven(self, h)) {
              if (st.failing.insert(address).second)
                TETHER_LOG(error, "cluster",
                           "the node at " << address
                                          << " is of another cluster: its "
                                             "secret differs");
              return;
            }
            if (st.joins.count(address))
              st.joined[address] = h.self.name;
            admit(self, h, handle);
          },
          [self, address](const caf::error& err) {
            if (self->state.failing.insert(address).second)
              TETHER_LOG(error, "cluster",
                         "the node at " << address << " refused this one: "
                                        << self->system().render(err));
          });
}

/// The node `name` went (or its link did): it is down until it comes back.
void lost(pointer self, const caf::actor_addr& source,
          const caf::error& reason) {
  for (auto& kv : self->state.members) {
    auto& m = kv.second;
    if (!m.handle || m.handle.address() != source)
      continue;
    TETHER_LOG(warning, "cluster",
               "node '" << kv.first
                        << "' is down: " << self->system().render(reason));
    m.entry.state = "down";
    m.handle = nullptr;
    m.services = {};
    changed(self);
    return;
  }
}

void retry(pointer self) {
  auto& st = self->state;
  for (const auto& kv : st.heard)
    if (connects_to(self, kv.first))
      connect(self, kv.second.address);
  for (const auto& kv : st.members)
    if (kv.second.entry.state == "down" && connects_to(self, kv.first))
      connect(self, kv.second.entry.address);
  for (const auto& address : st.joins) {
    auto i = st.joined.find(address);
    if (i == st.joined.end() || st.members[i->second].entry.state == "down")
      connect(self, address);
  }
}

} // namespace

cluster_actor spawn_cluster(caf::actor_system& sys, cluster_setup setup) {
  return sys.spawn([setup](pointer self) -> cluster_actor::behavior_type {
    auto& st = self->state;
    st.setup = setup;
    if (setup.middleman) {
      st.connector = spawn_connector(self->system(), cluster_actor{self},
                                     setup.middleman, setup.timeout);
      self->link_to(st.connector);
      self->delayed_send(self, setup.retry, tick_atom::value);
    }
    self->set_down_handler(
        [self](caf::down_msg& msg) { lost(self, msg.source, msg.reason); });
    return {
        [self](hello_atom, node_hello& h) -> caf::result<node_hello> {
          auto& st = self->state;
          auto from = caf::actor_cast<cluster_actor>(self->current_sender());
          if (!from)
            return caf::make_error(caf::sec::invalid_argument, "no sender");
          if (!proven(self, h)) {
            TETHER_LOG(warning, "cluster",
                       "refused node '" << h.self.name << "' at "
                                        << h.self.address
                                        << ": its cluster secret differs");
            return caf::make_error(caf::sec::invalid_argument,
                                   "refused: the cluster secret differs");
          }
          if (h.self.name == st.setup.self.name) {
            TETHER_LOG(error, "cluster",
                       "refused a node at " << h.self.address
                                            << ": it has this node's name '"
                                            << h.self.name << "'");
            return caf::make_error(caf::sec::invalid_argument,
                                   "refused: a node named '" + h.self.name +
                                       "' is in the cluster already");
          }
          admit(self, h, from);
          return own_hello(self);
        },
        [self](members_atom, const std::vector<node_entry>& list) {
          auto& st = self->state;
          if (list.empty())
            return;
          // Only from members: the first entry is the sender itself.
          auto i = st.members.find(list.front().name);
          if (i == st.members.end() || !i->second.handle ||
              i->second.handle.address() !=
                  caf::actor_cast<caf::actor_addr>(self->current_sender()))
            return;
          if (i->second.entry.state != list.front().state) {
            i->second.entry.state = list.front().state;
            changed(self);
          }
          for (size_t k = 1; k < list.size(); ++k)
            hear(self, list[k]);
        },
        [self](address_atom, const std::string& address) {
          self->state.setup.self.address = address;
        },
        [self](join_atom, const std::vector<std::string>& addresses) {
          for (const auto& a : addresses) {
            self->state.joins.insert(a);
            connect(self, a);
          }
        },
        [self](connected_atom, const std::string& address,
               const caf::strong_actor_ptr& ptr) {
          reached(self, address, ptr);
        },
        [self](get_atom) { return everyone(self); },
        [self](drain_atom) {
          self->state.setup.self.state = "draining";
          changed(self);
        },
        [self](subscribe_atom, const peer_listener_actor& who) {
          self->state.subscribers.push_back(who);
          changed(self);
        },
        [self](tick_atom) {
          retry(self);
          self->delayed_send(self, self->state.setup.retry, tick_atom::value);
        },
    };
  });
}

} // namespace tether
