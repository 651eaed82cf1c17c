#pragma once

// Echo requests over a set of connections, closed loop (each connection
// sends its next request when the last is answered) or open loop (requests
// leave at a fixed rate whatever the answers do, and each latency counts
// from when its request was due, so queueing in the server is not hidden).

#include <array>
#include <chrono>
#include <vector>

#include "context.hpp"
#include "histogram.hpp"

namespace tether::bench {

class echo_loop {
 public:
  echo_loop(context& cx, std::vector<peer*> peers);

  /// rate 0: closed loop; else requests per second over all connections.
  void start(double rate);
  /// Sends no more requests; those in flight still count when answered.
  void stop();
  bool drained() const { return in_flight_ == 0; }
  /// Feed it every event of its connections.
  void on_event(peer& p, const event& e);

  /// The latencies since the last call, and forgets them.
  histogram take_latencies();
  uint64_t answered() const { return answered_; }
  uint64_t errors() const { return errors_; }
  uint64_t retries() const { return retries_; }
  /// Open loop: requests that could not leave on time because a connection
  /// had `window` requests open (they left later, and count from when due).
  uint64_t held_back() const { return held_back_; }

 private:
  using clock = std::chrono::steady_clock;
  static constexpr size_t window = 128; // the contract's default max_inflight

  struct lane {
    peer* conn = nullptr;
    size_t open = 0;
    clock::time_point next_due;
    std::array<clock::time_point, window> due{}; // by id % window
  };

  void send(lane& l, clock::time_point due);
  void tick();

  context& cx_;
  std::vector<lane> lanes_;
  std::vector<size_t> lane_of_; // peer index -> lane
  std::string payload_;
  net::steady_timer timer_;
  clock::duration interval_{};
  bool running_ = false;
  bool open_loop_ = false;
  size_t in_flight_ = 0;
  histogram latencies_;
  uint64_t answered_ = 0;
  uint64_t errors_ = 0;
  uint64_t retries_ = 0;
  uint64_t held_back_ = 0;
};

} // namespace tether::bench
