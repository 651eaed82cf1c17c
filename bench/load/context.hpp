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
  std::string mode = "echo";
  size_t conns = 1;
  double duration_s = 5;
  size_t payload = 32;
  double rate = 0; // echo: requests per second over all connections; 0 closed
  double hold_s = 1;
  size_t max_connecting = 200;
  double connect_timeout_s = 60;
  pid_t server_pid = 0;
  size_t source_addrs = 0; // 0: one per 25,000 connections
  // W3 fan-out
  std::vector<size_t> members{1000};
  size_t rooms = 1;
  size_t inflight = 4;
  double p95_limit_ms = 100;
  // W5 slow consumers
  size_t slow = 20;
  double broadcast_rate = 500;
};

struct context {
  context(options o, target t, protocol p)
      : opt(std::move(o)), where(std::move(t)), w(p), prb(opt.server_pid) {}

  options opt;
  target where;
  wire w;
  probe prb;
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

} // namespace tether::bench
