// W5: slow consumers. Members of a room stop reading while a broadcaster
// keeps sending large messages to it and other clients keep echoing. A
// server that bounds what it queues for a reader stays small and keeps the
// others' latency; one that does not grows with every message.

#include <algorithm>
#include <iostream>

#include "echo_loop.hpp"
#include "fleet.hpp"
#include "report.hpp"

namespace tether::bench {

namespace {

/// The broadcaster's side: open loop at a fixed rate.
struct flood {
  explicit flood(context& c) : cx(c) {}
  context& cx;
  peer* sender = nullptr;
  std::string room;
  std::string payload;
  net::steady_timer timer{cx.ioc};
  std::chrono::steady_clock::time_point next;
  std::chrono::steady_clock::duration interval{};
  uint64_t sent = 0, answered = 0, refused = 0;
  bool running = false;

  void start(double rate) {
    running = true;
    interval = std::chrono::duration_cast<std::chrono::steady_clock::duration>(
        std::chrono::duration<double>(1.0 / rate));
    next = std::chrono::steady_clock::now();
    tick();
  }
  void tick() {
    if (!running)
      return;
    auto now = std::chrono::steady_clock::now();
    const auto& how = cx.opt.delivery;
    for (; next <= now; next += interval, ++sent) {
      auto key =
          how == "latest"
              ? "k" + std::to_string(sent % std::max<size_t>(1, cx.opt.keys))
              : std::string{};
      sender->send(cx.w.room_broadcast(sender->take_id(), room, payload, true,
                                       how, key));
    }
    timer.expires_after(std::chrono::milliseconds(1));
    timer.async_wait([this](error_code ec) {
      if (!ec)
        tick();
    });
  }
  void stop() {
    running = false;
    timer.cancel();
  }
};

} // namespace

int run_slow(context& cx) {
  const auto& opt = cx.opt;
  fleet echoes(cx.ioc, cx.where, cx.w, opt.max_connecting);
  fleet members(cx.ioc, cx.where, cx.w, opt.max_connecting);
  echoes.open(opt.conns, setup::hello);
  members.open(opt.slow + 1, cx.session_setup());
  cx.run_until([&] { return echoes.settled() && members.settled(); },
               opt.connect_timeout_s);
  if (echoes.ready_count() != opt.conns ||
      members.ready_count() != opt.slow + 1) {
    std::cerr << "tether_load: connections failed: " << echoes.first_failure()
              << members.first_failure() << std::endl;
    return 1;
  }

  // The first member creates the room; all join it.
  flood f(cx);
  f.sender = members.peers().front().get();
  f.payload = cx.w.blob(opt.payload);
  size_t joined = 0, refused = 0;
  members.on_event([&](peer& p, const event& e) {
    if (&p == f.sender && f.running) {
      if (e.kind == event::reply)
        ++f.answered;
      else if (e.kind == event::error || e.kind == event::retry)
        ++f.refused;
      return;
    }
    if (e.kind == event::reply && !e.text.empty() && f.room.empty())
      f.room = e.text;
    else if (e.kind == event::reply)
      ++joined;
    else if (e.kind == event::error)
      ++refused;
  });
  f.sender->send(cx.w.room_create(f.sender->take_id(), opt.slow + 1));
  cx.run_until([&] { return !f.room.empty() || refused; }, 10);
  for (auto& p : members.peers())
    p->send(cx.w.room_join(p->take_id(), f.room));
  cx.run_until([&] { return joined + refused == members.peers().size(); }, 30);
  if (refused || f.room.empty()) {
    std::cerr << "tether_load: the room could not be set up" << std::endl;
    return 1;
  }

  std::vector<peer*> echo_peers;
  for (auto& p : echoes.peers())
    echo_peers.push_back(p.get());
  echo_loop loop(cx, echo_peers);
  uint64_t node_connections = 0;
  echoes.on_event([&](peer& p, const event& e) {
    if (e.kind == event::reply && e.id == 0)
      node_connections = e.number;
    loop.on_event(p, e);
  });
  auto run_phase = [&](double seconds, uint64_t& peak_rss) {
    loop.start(0);
    net::steady_timer sampler{cx.ioc};
    std::function<void()> sample = [&] {
      peak_rss = std::max(peak_rss, cx.prb.take().server_rss_kb);
      sampler.expires_after(std::chrono::milliseconds(100));
      sampler.async_wait([&](error_code ec) {
        if (!ec)
          sample();
      });
    };
    sample();
    cx.run_for(seconds);
    loop.stop();
    f.stop();
    cx.run_until([&] { return loop.drained(); }, 5);
    sampler.cancel();
    cx.run_for(0.01);
    return loop.take_latencies();
  };

  // A: the echoes alone.
  auto a0 = cx.prb.take();
  uint64_t peak_a = 0;
  auto lat_a = run_phase(opt.duration_s, peak_a);
  auto a1 = cx.prb.take();
  // B: the same, while the slow members stop reading and the room floods.
  for (size_t i = 1; i < members.peers().size(); ++i)
    members.peers()[i]->pause_reading();
  f.start(opt.broadcast_rate);
  uint64_t peak_b = 0;
  // Twice as long: the slow readers' socket buffers fill first.
  auto lat_b = run_phase(2 * opt.duration_s, peak_b);
  auto b1 = cx.prb.take();
  // Tether reports its connections: the slow ones it closed are gone.
  if (cx.w.kind() == protocol::tether) {
    echoes.peers().front()->send(cx.w.request(0, "sys.info", cx.w.number(0)));
    cx.run_until([&] { return node_connections != 0; }, 5);
  }

  json o;
  o.add("mode", "slow")
      .add("echo_conns", uint64_t{opt.conns})
      .add("slow_members", uint64_t{opt.slow})
      .add("broadcast_rate", opt.broadcast_rate)
      .add("delivery", opt.delivery.empty() ? "keep" : opt.delivery)
      .add("payload", uint64_t{opt.payload})
      .add("broadcasts_sent", f.sent)
      .add("broadcasts_answered", f.answered)
      .add("broadcasts_refused", f.refused)
      .add("offered_mb_per_s", opt.broadcast_rate *
                                   static_cast<double>(opt.payload) *
                                   static_cast<double>(opt.slow) / 1e6)
      .add("a_", probe::between(a0, a1))
      .add("a_", lat_a)
      .add("a_ops", lat_a.count())
      .add("b_", probe::between(a1, b1))
      .add("b_", lat_b)
      .add("b_ops", lat_b.count())
      .add("rss_start_kb", a0.server_rss_kb)
      .add("rss_peak_a_kb", peak_a)
      .add("rss_peak_b_kb", peak_b)
      .add("rss_end_kb", b1.server_rss_kb)
      .add("echo_errors", loop.errors() + loop.retries());
  if (node_connections > 0) // only Tether answers sys.info
    o.add("node_connections_after", node_connections)
        .add("connections_opened", uint64_t{opt.conns + opt.slow + 1});
  std::cout << o.str() << std::endl;
  return 0;
}

} // namespace tether::bench
