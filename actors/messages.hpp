#pragma once

#include <cstdint>
#include <string>

#include <caf/actor.hpp>
#include <caf/meta/type_name.hpp>

#include "tether/codec/value.hpp"

namespace tether {

/// One WebSocket message as read by the transport.
struct inbound_message {
  std::string bytes;
  bool binary = true;
};

template <class Inspector> auto inspect(Inspector& f, inbound_message& x) {
  return f(caf::meta::type_name("inbound_message"), x.bytes, x.binary);
}

/// The client's answer to a REQUEST that a behavior sent it.
struct client_answer {
  /// True for REPLY; false for ERROR and RETRY.
  bool ok = false;
  codec::value payload;
  /// ERROR's code, or "retry" when the client answered RETRY.
  std::string code;
  /// ERROR's message, or RETRY's reason.
  std::string message;
};

template <class Inspector> auto inspect(Inspector& f, client_answer& x) {
  return f(caf::meta::type_name("client_answer"), x.ok, x.payload, x.code,
           x.message);
}

/// What an authenticator decided about HELLO's `auth` map.
struct auth_result {
  bool ok = false;
  /// The verified claims (a map), nil for an anonymous client.
  codec::value claims;
  /// Why not, for the log and the CLOSE 8 message.
  std::string reason;
};

template <class Inspector> auto inspect(Inspector& f, auth_result& x) {
  return f(caf::meta::type_name("auth_result"), x.ok, x.claims, x.reason);
}

/// What `sys.info` reports about the node.
struct node_stats {
  std::string node;
  uint64_t uptime_s = 0;
  uint64_t connections = 0;
  uint64_t sessions = 0;
  uint64_t rooms = 0;
};

template <class Inspector> auto inspect(Inspector& f, node_stats& x) {
  return f(caf::meta::type_name("node_stats"), x.node, x.uptime_s,
           x.connections, x.sessions, x.rooms);
}

/// What `sys.info` reports about the store.
struct store_stats {
  /// False with `--store=none`.
  bool enabled = false;
  /// The last commit failed (disk full, I/O error): the node serves on,
  /// but what changed since is not saved yet.
  bool failing = false;
  uint64_t failures = 0;
  uint64_t commits = 0;
  /// Changes committed, and waiting for the next commit.
  uint64_t changes = 0;
  uint64_t pending = 0;
};

template <class Inspector> auto inspect(Inspector& f, store_stats& x) {
  return f(caf::meta::type_name("store_stats"), x.enabled, x.failing,
           x.failures, x.commits, x.changes, x.pending);
}

/// The store's health as `sys.info` and the log say it: "ok", "failing",
/// or "none" without a store.
inline std::string health_of(const store_stats& x) {
  if (!x.enabled)
    return "none";
  return x.failing ? "failing" : "ok";
}

} // namespace tether
