#pragma once

// The cluster rows' nodes: tether-node processes on loopback that the
// generator starts itself (so that it can time a node's exit), each from
// --exec (pinned as it says) plus the cluster's options: the first alone,
// every other joining it, one secret and one admin token for all.

#include <string>
#include <vector>

#include "context.hpp"

namespace tether::bench {

struct cluster_node {
  std::string name; // a, b, c, ...
  launched process;
  target where; // its client address; its admin API is there too
};

class cluster {
 public:
  cluster() = default;
  cluster(const cluster&) = delete;
  cluster& operator=(const cluster&) = delete;
  ~cluster() { stop(); }

  /// Starts `n` nodes; false (and `why`) when one does not come up.
  bool start(const options& opt, size_t n, std::string& why);
  /// Runs `cx` until every node's GET /api/v1/node lists all of them `up`;
  /// false when they do not within `limit_s`.
  bool await_up(context& cx, double limit_s);
  /// SIGTERM to every node still running (all at once: none drains into
  /// another), then waits for each.
  void stop();

  std::vector<cluster_node>& nodes() { return nodes_; }
  std::vector<pid_t> pids() const;
  /// The node whose client URL is `url`, -1 for none.
  int node_of(const std::string& url) const;
  const std::string& token() const { return token_; }

 private:
  std::vector<cluster_node> nodes_;
  std::string token_ = "tether-bench-admin";
};

} // namespace tether::bench
