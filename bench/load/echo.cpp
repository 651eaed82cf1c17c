// W2: echo requests, closed or open loop, over connections without sessions
// (with --sessions: over sessions, whose answers are numbered, kept until
// acknowledged, and saved by a node with a store).

#include <algorithm>
#include <iostream>

#include "echo_loop.hpp"
#include "fleet.hpp"
#include "report.hpp"

namespace tether::bench {

int run_echo(context& cx) {
  const auto& opt = cx.opt;
  fleet crowd(cx.ioc, cx.where, cx.w, opt.max_connecting);
  auto opened = cx.prb.take();
  crowd.open(opt.conns, opt.sessions ? cx.session_setup() : setup::hello);
  cx.run_until([&] { return crowd.settled(); }, opt.connect_timeout_s);

  std::vector<peer*> ready;
  for (auto& p : crowd.peers())
    if (p->ready())
      ready.push_back(p.get());
  echo_loop loop(cx, ready);
  crowd.on_event([&](peer& p, const event& e) { loop.on_event(p, e); });

  // A warm-up, not measured: fresh servers fault in pages and fill caches.
  loop.start(opt.rate);
  cx.run_for(std::min(1.0, opt.duration_s / 2));
  loop.take_latencies();
  auto before = loop.answered();
  auto start = cx.prb.take();
  cx.run_for(opt.duration_s);
  loop.stop();
  // Answers still on their way belong to the run; a lost one must not
  // hang it.
  cx.run_until([&] { return loop.drained(); }, 5);
  auto end = cx.prb.take();
  auto measured = probe::between(start, end);
  auto lat = loop.take_latencies();
  auto ops = loop.answered() - before;

  json o;
  o.add("mode", "echo")
      .add("conns", uint64_t{opt.conns})
      .add("connected", uint64_t{crowd.ready_count()})
      .add("failed", uint64_t{crowd.failed_count()})
      .add("sessions", opt.sessions)
      .add("payload", uint64_t{opt.payload})
      .add("rate", opt.rate)
      .add("open_s", probe::between(opened, start).wall_s)
      .add("ops", ops)
      .add("errors", loop.errors())
      .add("retries", loop.retries())
      .add("held_back", loop.held_back())
      .add("lost", uint64_t{loop.drained() ? 0u : 1u})
      .add("ops_per_s", measured.wall_s > 0
                            ? static_cast<double>(ops) / measured.wall_s
                            : 0.0)
      .add("cpu_us_per_op",
           ops ? measured.server_cpu_s * 1e6 / static_cast<double>(ops) : 0.0)
      .add("", measured)
      .add("", lat)
      .add("server_rss_kb", end.server_rss_kb);
  if (!crowd.first_failure().empty())
    o.add("first_failure", crowd.first_failure());
  std::cout << o.str() << std::endl;
  return crowd.ready_count() == opt.conns ? 0 : 1;
}

} // namespace tether::bench
