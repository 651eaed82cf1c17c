#pragma once

#include <map>
#include <string>
#include <type_traits>
#include <vector>

#include "tether/actors/interfaces.hpp"

namespace tether {

/// The nodes of the cluster as the services of one node see them.
struct cluster_peers {
  struct peer {
    node_entry entry;
    /// Valid while the node is up.
    node_services services;
  };

  /// This node's name.
  std::string self;
  /// The other nodes by name, down ones included.
  std::map<std::string, peer> nodes;

  /// The node named `name` if it is another node and up (or draining: it
  /// still serves what it owns), else null.
  const peer* serving(const std::string& name) const {
    auto i = nodes.find(name);
    if (i == nodes.end() || i->second.entry.state == "down")
      return nullptr;
    return &i->second;
  }
};

/// One service of each other node serving, picked by `pick` from its
/// `node_services` (e.g. its session supervisor): whom to ask about a thing
/// that is not here.
template <class Pick> auto others_serving(const peer_table& peers, Pick pick) {
  using service = std::decay_t<decltype(pick(std::declval<node_services>()))>;
  std::vector<service> result;
  if (peers)
    for (const auto& kv : peers->nodes)
      if (peers->serving(kv.first))
        result.push_back(pick(kv.second.services));
  return result;
}

/// The node whose name a session id or key starts with (`NODE.RANDOM`):
/// where it was made. Empty for ids of another form.
inline std::string home_of(const std::string& id) {
  auto dot = id.rfind('.');
  return dot == std::string::npos ? std::string{} : id.substr(0, dot);
}

/// The node a room id names (`r.NODE.RANDOM`): where it was made. Empty for
/// ids of another form, such as those of a node from before clusters.
inline std::string room_home_of(const std::string& id) {
  if (id.rfind("r.", 0) != 0)
    return {};
  return home_of(id.substr(2));
}

} // namespace tether
