#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "tether/config/limits.hpp"

namespace tether::config {

/// Everything a node is configured with. Defaults are embedded: a node
/// runs without any file.
struct options {
  /// Address to listen on; port 0 picks a free port.
  std::string listen_host = "127.0.0.1";
  uint16_t listen_port = 8080;
  /// WebSocket endpoint path.
  std::string ws_path = "/ws";
  /// This node's name in WELCOME and `sys.info`; empty: the host name.
  std::string node_name;
  /// The limits and timings of the wire contract.
  limits lim;
  /// Threads running sockets (Asio) and actors (CAF). Two cores: one each.
  unsigned io_threads = 1;
  unsigned actor_threads = 1;
  /// CAF's scheduler: "sharing" (one queue; an idle thread sleeps until
  /// work arrives) or "stealing" (a queue per thread; an idle thread polls
  /// every 50 µs for a while first, which costs CPU and latency when the
  /// node is not saturated).
  std::string scheduler = "sharing";
  /// Whether the node's threads run as SCHED_BATCH: one woken by another
  /// does not preempt it, so threads sharing a core hand each other whole
  /// batches (a sixth of the context switches per echo under load here).
  /// The cost: a woken thread may wait for the running one's time slice
  /// when its core is busy with another process.
  bool sched_batch = true;
  /// debug, info, warning or error.
  std::string log_level = "info";
  /// text, or json: one object per line for log shippers.
  std::string log_format = "text";
  /// Whether the built-in `sys.*` ops are bound.
  bool sys_ops = true;
  /// Where the node keeps its files (the token secret, the store).
  std::string data_dir = ".tether-data";
  /// The store's file: empty for `<data_dir>/store.db`, "none" for no
  /// store (nothing survives a restart).
  std::string store;
  /// The longest a change waits for its commit, in ms: what a crash may
  /// lose.
  uint64_t store_flush_ms = 10;
  /// The store's file in force (empty: none).
  std::string store_path() const {
    if (store == "none")
      return {};
    return store.empty() ? data_dir + "/store.db" : store;
  }
  /// The token secret as 64 hex digits; empty: read or made in data_dir.
  /// Nodes of one cluster share it.
  std::string secret;
  /// How HELLO's auth is checked: "anonymous" or "jwt".
  std::string auth = "anonymous";
  /// The HS256 secret of `auth = jwt`.
  std::string jwt_secret;
  /// With `auth = jwt`: whether an empty auth map is let in anonymously.
  bool allow_anonymous = false;
  /// The file read, if any.
  std::string config_file;

  /// Where other nodes of the cluster connect ("HOST:PORT", port 0 picks
  /// one); empty: the node is no cluster member.
  std::string cluster_listen;
  /// Cluster addresses ("HOST:PORT") of nodes to join at start.
  std::vector<std::string> joins;
  /// The client URL other nodes name in redirects to this one; empty: the
  /// URL of `--listen`.
  std::string public_url;
  /// PEM files for TLS between the nodes: this node's certificate chain,
  /// its key, and the CA that peers' certificates must be signed by. All
  /// three or none.
  std::string cluster_tls_cert;
  std::string cluster_tls_key;
  std::string cluster_tls_ca;
  /// PEM certificate chain and key for TLS on the client port; both or
  /// none.
  std::string tls_cert;
  std::string tls_key;
  /// Origins a browser may connect from (others: 403); empty: any.
  std::vector<std::string> allowed_origins;
  /// Open connections from one IP address (more: 429); 0: no limit.
  uint64_t max_connections_per_ip = 0;
  /// Open connections in all (more: CLOSE 9 or 503); 0: no limit.
  uint64_t max_total_connections = 0;
  /// New connections per second from one IP address, and the burst
  /// allowed at once (more: 429); 0: no limit.
  uint64_t connect_rate_per_ip = 0;
  uint64_t connect_burst_per_ip = 0;
  /// The admin API's bearer token; empty: the API is off (404).
  std::string admin_token;
  /// A directory whose files the node serves to GET under `static_path`
  /// (a web app beside its node); empty: none.
  std::string static_dir;
  std::string static_path = "/";
  /// Whether this node is a cluster member.
  bool clustered() const { return !cluster_listen.empty(); }
};

/// What reading the command line ended with: options to run with, or a
/// text to print (help, or what was wrong) and an exit code.
struct parse_outcome {
  std::optional<options> opts;
  int exit_code = 0;
  std::string text;
};

/// Reads the command line and, if `--config=FILE` names one, the config file
/// (`name = value` lines, `#` comments). The command line wins over the file,
/// the file over the defaults. `program` names the binary in the help text.
/// Every mistake gives exit code 2 and a text naming the option and the value
/// (or, in the file, `FILE:LINE:`): unknown options, stray arguments, numbers
/// that are negative, not numbers or out of range, values not among the
/// choices, a directory or unreadable file, a malformed or repeated line, a
/// `config` line (files do not include others).
parse_outcome parse(int argc, const char* const* argv,
                    const std::string& program = "tether-node");

/// Splits "HOST:PORT" ("[::1]:PORT" for IPv6); false when malformed.
bool split_host_port(const std::string& text, std::string& host,
                     uint16_t& port);

} // namespace tether::config
