#pragma once

#include <chrono>
#include <map>
#include <set>
#include <string>
#include <vector>

#include <caf/actor_system.hpp>
#include <caf/io/middleman_actor.hpp>

#include "tether/actors/cluster/peers.hpp"
#include "tether/actors/interfaces.hpp"

namespace tether {

/// What a node's cluster actor starts with.
struct cluster_setup {
  /// This node (its state "up").
  node_entry self;
  /// The secret every node of the cluster shares (raw bytes).
  std::string secret;
  /// This node's services, for the others.
  node_services services;
  /// Where connections to other nodes are made (plain or TLS); invalid
  /// for a node that is no cluster member.
  caf::io::middleman_actor middleman;
  /// How long a connect or a hello may take, and how often nodes that are
  /// down or were not reached are tried again.
  std::chrono::milliseconds timeout{3000};
  std::chrono::milliseconds retry{1000};
};

/// The cluster actor's state: the members it verified, the nodes it heard
/// of, and who wants to know when they change.
struct cluster_state {
  static inline const char* name = "tether.cluster";

  struct member {
    node_entry entry;
    cluster_actor handle;
    node_services services;
  };

  cluster_setup setup;
  std::map<std::string, member> members;
  /// Nodes other members named, not verified yet: joined if this node is
  /// the one of the pair that connects.
  std::map<std::string, node_entry> heard;
  /// `--join` addresses, and the member each one reached.
  std::set<std::string> joins;
  std::map<std::string, std::string> joined;
  std::set<std::string> connecting;
  /// Addresses whose failure was logged (once until they answer).
  std::set<std::string> failing;
  std::vector<peer_listener_actor> subscribers;
  connector_actor connector;
};

/// The proof a node's hello carries: HMAC-SHA-256 of the entry under the
/// cluster secret, hex.
std::string cluster_proof(const std::string& secret, const node_entry& self);

/// Spawns the cluster actor of a node.
cluster_actor spawn_cluster(caf::actor_system& sys, cluster_setup setup);

} // namespace tether
