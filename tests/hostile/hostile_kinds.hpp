#pragma once

// The kinds of hostile client the end-to-end test sends at a node, each
// with its script and the endings the wire contract allows it.

#include <set>
#include <string>
#include <vector>

#include "tether/tests/hostile/raw_peer.hpp"

namespace tether::test {

struct hostile_kind {
  std::string name;
  /// How many connections of this kind the test opens.
  int count = 0;
  /// Sent to the node with a certificate (else the plain one).
  bool to_tls_node = false;
  std::vector<script_step> script;
  /// The `outcome::label`s that keep the contract.
  std::set<std::string> allowed;
};

/// Every kind, for a node at WebSocket path `path`.
std::vector<hostile_kind> hostile_kinds(const std::string& path);

} // namespace tether::test
