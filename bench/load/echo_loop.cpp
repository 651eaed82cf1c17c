#include "echo_loop.hpp"

#include <algorithm>

namespace tether::bench {

echo_loop::echo_loop(context& cx, std::vector<peer*> peers)
    : cx_(cx), payload_(cx.w.blob(cx.opt.payload)), timer_(cx.ioc) {
  for (auto* p : peers) {
    if (p->index() >= lane_of_.size())
      lane_of_.resize(p->index() + 1, SIZE_MAX);
    lane_of_[p->index()] = lanes_.size();
    lanes_.push_back(lane{p, 0, {}, {}});
  }
}

void echo_loop::start(double rate) {
  running_ = true;
  open_loop_ = rate > 0;
  auto now = clock::now();
  if (!open_loop_) {
    for (auto& l : lanes_)
      send(l, now);
    return;
  }
  // Each connection gets an equal share of the rate, their starts spread
  // over one interval so that the requests do not leave in bursts.
  interval_ = std::chrono::duration_cast<clock::duration>(
      std::chrono::duration<double>(static_cast<double>(lanes_.size()) / rate));
  for (size_t i = 0; i < lanes_.size(); ++i)
    lanes_[i].next_due = now + interval_ * static_cast<long>(i) /
                                   static_cast<long>(lanes_.size());
  tick();
}

void echo_loop::stop() {
  running_ = false;
  timer_.cancel();
}

void echo_loop::send(lane& l, clock::time_point due) {
  if (l.conn->closed())
    return;
  auto id = l.conn->take_id();
  l.due[id % window] = due;
  ++l.open;
  ++in_flight_;
  l.conn->send(cx_.w.echo(id, payload_));
}

void echo_loop::tick() {
  if (!running_)
    return;
  auto now = clock::now();
  auto wake = now + interval_;
  for (auto& l : lanes_) {
    while (l.next_due <= now) {
      if (l.open >= window) {
        ++held_back_;
        break;
      }
      send(l, l.next_due);
      l.next_due += interval_;
    }
    wake = std::min(wake, l.next_due);
  }
  // Wakes for the next request due, not on a coarse tick: a request sent
  // late would count the generator's lateness as the server's latency.
  timer_.expires_at(std::max(wake, now + std::chrono::microseconds(20)));
  timer_.async_wait([this](error_code ec) {
    if (!ec)
      tick();
  });
}

void echo_loop::on_event(peer& p, const event& e) {
  if (e.kind != event::reply && e.kind != event::error &&
      e.kind != event::retry)
    return;
  if (p.index() >= lane_of_.size() || lane_of_[p.index()] == SIZE_MAX)
    return;
  auto& l = lanes_[lane_of_[p.index()]];
  if (l.open == 0)
    return;
  --l.open;
  --in_flight_;
  auto now = clock::now();
  if (e.kind == event::reply) {
    ++answered_;
    latencies_.record(static_cast<uint64_t>(
        std::chrono::duration_cast<std::chrono::nanoseconds>(
            now - l.due[e.id % window])
            .count()));
  } else if (e.kind == event::error) {
    ++errors_;
  } else {
    ++retries_;
  }
  if (running_ && !open_loop_)
    send(l, now);
}

histogram echo_loop::take_latencies() {
  auto h = latencies_;
  latencies_ = histogram{};
  return h;
}

} // namespace tether::bench
