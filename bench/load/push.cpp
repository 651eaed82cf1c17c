// W2 on sessions, pushed: each connection keeps one sys.push of
// --push-count SIGNALs going (the next as soon as the REPLY and every
// SIGNAL of the last have arrived) and ACKs as it reads, so every frame is
// numbered, kept until acknowledged and, with a store, saved and deleted.
// An op is one SIGNAL; a push's latency runs from its REQUEST to its last
// frame. Tether only: the peers have no sys.push.

#include <algorithm>
#include <iostream>

#include "context.hpp"
#include "fleet.hpp"
#include "histogram.hpp"
#include "report.hpp"

namespace tether::bench {

namespace {

using clock = std::chrono::steady_clock;

class pusher {
 public:
  explicit pusher(context& cx)
      : cx_(cx), crowd_(cx.ioc, cx.where, cx.w, cx.opt.max_connecting),
        payload_(cx.w.blob(cx.opt.payload)) {
    crowd_.on_event([this](peer& p, const event& e) { on_event(p, e); });
  }

  int run();

 private:
  struct lane {
    uint64_t id = 0; // the open push; 0: none
    bool replied = false;
    uint64_t signals = 0;
    clock::time_point sent;
  };

  void send(peer& p);
  void on_event(peer& p, const event& e);
  bool drained() const { return open_ == 0; }

  context& cx_;
  fleet crowd_;
  std::string payload_;
  std::vector<lane> lanes_; // by peer index
  bool running_ = false;
  size_t open_ = 0;
  histogram latencies_;
  uint64_t signals_ = 0;
  uint64_t pushes_ = 0;
  uint64_t errors_ = 0;
  uint64_t retries_ = 0;
};

void pusher::send(peer& p) {
  if (p.closed())
    return;
  auto& l = lanes_[p.index()];
  l.id = p.take_id();
  l.replied = false;
  l.signals = 0;
  l.sent = clock::now();
  ++open_;
  p.send(cx_.w.push(l.id, cx_.opt.push_count, payload_));
}

void pusher::on_event(peer& p, const event& e) {
  auto& l = lanes_[p.index()];
  if (l.id == 0)
    return;
  if (e.kind == event::signal) {
    ++l.signals;
    ++signals_;
  } else if (e.kind == event::reply && e.id == l.id) {
    l.replied = true;
  } else if ((e.kind == event::error || e.kind == event::retry) &&
             e.id == l.id) {
    ++(e.kind == event::error ? errors_ : retries_);
    l.replied = true;
    l.signals = cx_.opt.push_count; // nothing more is coming
  } else {
    return;
  }
  if (!l.replied || l.signals < cx_.opt.push_count)
    return;
  latencies_.record(static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(clock::now() -
                                                           l.sent)
          .count()));
  ++pushes_;
  l.id = 0;
  --open_;
  if (running_)
    send(p);
}

int pusher::run() {
  const auto& opt = cx_.opt;
  auto opened = cx_.prb.take();
  lanes_.resize(opt.conns);
  crowd_.open(opt.conns, setup::session_open);
  cx_.run_until([&] { return crowd_.settled(); }, opt.connect_timeout_s);

  // A warm-up, not measured, as in the echo.
  running_ = true;
  for (auto& p : crowd_.peers())
    if (p->ready())
      send(*p);
  cx_.run_for(std::min(1.0, opt.duration_s / 2));
  latencies_ = histogram{};
  auto signals_before = signals_;
  auto pushes_before = pushes_;
  auto start = cx_.prb.take();
  cx_.run_for(opt.duration_s);
  running_ = false;
  cx_.run_until([&] { return drained(); }, 5);
  auto end = cx_.prb.take();
  auto m = probe::between(start, end);
  auto ops = signals_ - signals_before;
  auto pushes = pushes_ - pushes_before;
  auto per = [&](double cpu_s, uint64_t n) {
    return n ? cpu_s * 1e6 / static_cast<double>(n) : 0.0;
  };
  auto rate = [&](uint64_t n) {
    return m.wall_s > 0 ? static_cast<double>(n) / m.wall_s : 0.0;
  };

  json o;
  o.add("mode", "push")
      .add("conns", uint64_t{opt.conns})
      .add("connected", uint64_t{crowd_.ready_count()})
      .add("failed", uint64_t{crowd_.failed_count()})
      .add("push_count", opt.push_count)
      .add("payload", uint64_t{opt.payload})
      .add("open_s", probe::between(opened, start).wall_s)
      .add("ops", ops)
      .add("pushes", pushes)
      .add("errors", errors_)
      .add("retries", retries_)
      .add("lost", uint64_t{drained() ? 0u : 1u})
      .add("ops_per_s", rate(ops))
      .add("pushes_per_s", rate(pushes))
      .add("cpu_us_per_op", per(m.server_cpu_s, ops))
      .add("cpu_us_per_push", per(m.server_cpu_s, pushes))
      .add("", m)
      .add("", latencies_)
      .add("server_rss_kb", end.server_rss_kb);
  if (!crowd_.first_failure().empty())
    o.add("first_failure", crowd_.first_failure());
  std::cout << o.str() << std::endl;
  return crowd_.ready_count() == opt.conns && drained() ? 0 : 1;
}

} // namespace

int run_push(context& cx) {
  return pusher{cx}.run();
}

} // namespace tether::bench
