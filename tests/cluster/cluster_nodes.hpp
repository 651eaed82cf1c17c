#pragma once

// Real tether-node processes joined into a cluster on loopback, ports 0.

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "tether/tests/support/child_node.hpp"

namespace tether::test {

/// The secret of the test clusters (64 hex digits; nothing secret).
inline const std::string cluster_secret(64, 'a');

/// The admin token of the test nodes.
inline const std::string admin_token = "test-admin-token";

/// One node of a test cluster.
struct cluster_node {
  std::string name;
  std::unique_ptr<child_node> process;
  client::endpoint where;
  /// Its client URL, as redirects name it.
  std::string url;
  /// Its cluster address, HOST:PORT.
  std::string address;
};

/// How to start a node: its name, whom it joins, and more options.
struct node_plan {
  std::string name;
  std::vector<std::string> joins;
  std::vector<std::string> extra;
  std::string secret = cluster_secret;
  /// The store's file; empty: none.
  std::string store;
};

/// Starts a node and reads its two first lines; the test fails if it does
/// not print them.
cluster_node start_node(const node_plan& plan);

/// The nodes `at` lists in sys.info's cluster, as "name:state", sorted.
std::vector<std::string> cluster_view(const client::endpoint& at);

/// Waits until `at` lists exactly `expected` ("name:state", sorted); false
/// if it did not within `limit`.
bool await_view(const client::endpoint& at,
                const std::vector<std::string>& expected,
                std::chrono::milliseconds limit = std::chrono::seconds{10});

/// Three nodes a, b and c, each having joined the one before; returns
/// once every node sees all three up.
std::vector<cluster_node> three_nodes(const temp_dir* stores = nullptr);

/// Moves session `id` to node `to` through the admin API of `at`: the
/// HTTP status (200 once it lives there).
unsigned migrate_session(const cluster_node& at, const std::string& id,
                         const std::string& to);

/// Moves room `id` to node `to` through the admin API of `at`: the HTTP
/// status (200 once it lives there).
unsigned migrate_room(const cluster_node& at, const std::string& id,
                      const std::string& to);

} // namespace tether::test
