#pragma once

// Reads what the kernel counts for the server under test (its CPU time and
// resident memory; for a cluster, summed over its nodes' processes), for the
// whole machine and for this generator, so that a workload can measure
// exactly its own phase.

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <vector>

namespace tether::bench {

struct sample {
  std::chrono::steady_clock::time_point at;
  double server_cpu_s = 0; // utime + stime of the server process(es)
  uint64_t server_rss_kb = 0;
  double box_cpu_s = 0;  // busy CPU of the whole machine
  double steal_s = 0;    // time the hypervisor gave this machine's CPUs away
  double self_cpu_s = 0; // this generator's own CPU
};

/// What happened between two samples.
struct interval {
  double wall_s = 0;
  double server_cpu_s = 0;
  double self_cpu_s = 0;
  double other_cpu_s = 0; // neither server nor generator: softirq, noise
  double steal_s = 0;     // CPU the hypervisor took: the run was slowed

  double server_util() const { return wall_s > 0 ? server_cpu_s / wall_s : 0; }
  double self_util() const { return wall_s > 0 ? self_cpu_s / wall_s : 0; }
  double other_util() const { return wall_s > 0 ? other_cpu_s / wall_s : 0; }
  double steal_util() const { return wall_s > 0 ? steal_s / wall_s : 0; }
};

class probe {
 public:
  /// pid 0: no server to watch; its figures stay 0.
  explicit probe(pid_t server) : servers_{server} {}
  /// Every process of a server that runs as several (a cluster's nodes):
  /// their figures are summed.
  explicit probe(std::vector<pid_t> servers) : servers_(std::move(servers)) {}

  sample take() const;
  static interval between(const sample& a, const sample& b);

 private:
  std::vector<pid_t> servers_;
};

} // namespace tether::bench
