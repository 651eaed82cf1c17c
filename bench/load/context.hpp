#pragma once

// What every workload shares: the options, where the server is, how to
// speak to it, the probe on its process, and one io_context on one thread.

#include <sys/types.h>

#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "peer.hpp"
#include "probe.hpp"
#include "wire.hpp"

namespace tether::bench {

struct options {
  std::string url;
  std::string ca_file; // wss://: verify the server against it (else: don't)
  std::string mode = "echo";
  size_t conns = 1;
  double duration_s = 5;
  size_t payload = 32;
  double rate = 0; // echo: requests per second over all connections; 0 closed
  bool sessions = false;     // echo: over sessions (SESSION_OPEN first)
  uint64_t ack_every = 32;   // ACK after this many frames; 0: the WELCOME's
  uint64_t push_count = 100; // push, restart-prepare: SIGNALs per sys.push
  double hold_s = 1;
  size_t max_connecting = 200;
  double connect_timeout_s = 60;
  pid_t server_pid = 0;
  size_t source_addrs = 0; // 0: one per 25,000 connections
  size_t source_from = 1;  // the first source address: 127.0.0.<this>
  // W3 fan-out
  std::vector<size_t> members{1000};
  size_t rooms = 1;
  size_t inflight = 4;
  double p95_limit_ms = 100;
  // W5 slow consumers
  size_t slow = 20;
  double broadcast_rate = 500;
  // The broadcasts' delivery class (Tether; empty: none given, keep) and,
  // for latest, over how many keys they rotate.
  std::string delivery;
  size_t keys = 4;
  // The restart case: the sessions and rooms to resume, and the node to
  // start (its command, and the file its stderr goes to).
  std::string state;
  std::string exec;
  std::string exec_log;
  // The cluster rows: nodes started from --exec (1: the plain node alone).
  size_t nodes = 1;
};

/// A node this generator started itself (restart: from exec on).
struct launched {
  pid_t pid = 0;
  int stdout_fd = -1;
  std::string stdout_pending; // read from its stdout, not yet a whole line
  std::string url;
  std::chrono::steady_clock::time_point exec_at{};
  std::chrono::steady_clock::time_point listening_at{};
};

class cluster;
class fleet;

struct context {
  context(options o, target t, protocol p, launched node = {},
          cluster* several = nullptr, std::vector<pid_t> their_pids = {})
      : opt(std::move(o)), where(std::move(t)), w(p, opt.ack_every),
        prb(their_pids.empty() ? std::vector<pid_t>{opt.server_pid}
                               : std::move(their_pids)),
        child(std::move(node)), nodes(several) {}

  options opt;
  target where; // with a cluster: its first node, a
  wire w;
  probe prb; // with a cluster: summed over its nodes
  launched child;
  cluster* nodes; // the cluster the generator started, if any
  net::io_context ioc{1};
  /// Keeps run_one_for waiting while nothing is pending (paused readers).
  net::executor_work_guard<net::io_context::executor_type> busy =
      net::make_work_guard(ioc);

  /// Runs the io_context until `done()` holds or `limit_s` pass; false on
  /// timeout.
  bool run_until(const std::function<bool()>& done, double limit_s) {
    auto until = std::chrono::steady_clock::now() +
                 std::chrono::duration_cast<std::chrono::nanoseconds>(
                     std::chrono::duration<double>(limit_s));
    while (!done()) {
      if (std::chrono::steady_clock::now() >= until)
        return false;
      ioc.run_one_for(std::chrono::milliseconds(5));
    }
    return true;
  }
  void run_for(double s) {
    run_until([] { return false; }, s);
  }
  /// The setup a crowd of plain clients does: a Tether session where the
  /// protocol has them, the bare handshake otherwise.
  setup session_setup() const {
    return w.kind() == protocol::tether ? setup::session_open : setup::hello;
  }
};

// The workloads; each prints one JSON line and returns the exit status.
int run_echo(context& cx);   // W2
int run_idle(context& cx);   // W1
int run_fanout(context& cx); // W3
int run_resume(context& cx); // W4
int run_slow(context& cx);   // W5
int run_push(context& cx);   // W2 on sessions: sys.push
// The store: sessions and rooms with kept frames for a node to save, then
// a node started on that store and the resume storm against it.
int run_restart_prepare(context& cx);
int run_restart(context& cx);
// The cluster (--nodes 3): sessions moved through the admin API, resumes
// at a node that does not own them, and a node drained into the others.
// (The cross-node fan-out is run_fanout over the cluster's nodes.)
int run_migrate(context& cx);
int run_cluster_resume(context& cx);
int run_drain(context& cx);

/// Opens `n` sessions on `f` and waits until each is open; false (and
/// says why on stderr) when one did not.
bool open_sessions(context& cx, fleet& f, size_t n);

/// Where `url` points, from the loopback source addresses the options ask
/// for (and, for wss://, its TLS context); false when it is no ws:// or
/// wss:// URL or the CA file does not load.
bool aim(const std::string& url, const options& opt, target& out);

/// Starts `opt.exec` (split at spaces), its stderr into `opt.exec_log`, and
/// waits up to `limit_s` for the first line on its stdout that names a
/// ws:// URL. False (and the process ended) if it does not come.
bool launch(const options& opt, double limit_s, launched& out,
            std::string& why);
/// The next line `node` printed on its stdout, without its newline; false
/// (`why` says) at its end or when none came within `limit_s`.
bool next_line(launched& node, double limit_s, std::string& line,
               std::string& why);
/// Whether `node` has ended (it is reaped then; `status`: its exit code,
/// -1 when a signal ended it). Does not wait.
bool ended(launched& node, int& status);
/// SIGTERM, then waits up to `limit_s` (SIGKILL after). The exit status
/// (-1: killed by a signal) and the seconds it took.
int stop(launched& node, double limit_s, double& took_s);

} // namespace tether::bench
