#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <caf/meta/type_name.hpp>

namespace tether {

/// A node as the members of a cluster tell each other about it.
struct node_entry {
  /// Its `--node-name`, unique in the cluster.
  std::string name;
  /// Its client URL: where redirects send clients.
  std::string url;
  /// Its cluster address, HOST:PORT: where other nodes join it.
  std::string address;
  /// "up", "draining" or "down".
  std::string state;
};

template <class Inspector> auto inspect(Inspector& f, node_entry& x) {
  return f(caf::meta::type_name("node_entry"), x.name, x.url, x.address,
           x.state);
}

} // namespace tether
