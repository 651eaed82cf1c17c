// W1: connections that open a session and then sit idle: how fast they
// open, and how much server memory each one holds.

#include <iostream>

#include "context.hpp"
#include "fleet.hpp"
#include "report.hpp"

namespace tether::bench {

int run_idle(context& cx) {
  const auto& opt = cx.opt;
  fleet crowd(cx.ioc, cx.where, cx.w, opt.max_connecting);
  auto before = cx.prb.take();
  crowd.open(opt.conns, cx.session_setup());
  bool all =
      cx.run_until([&] { return crowd.settled(); }, opt.connect_timeout_s);
  auto opened = cx.prb.take();
  // Held a while, so that memory freed late (and allocated late, by timers)
  // shows in the figure.
  cx.run_for(opt.hold_s);
  auto held = cx.prb.take();

  auto n = crowd.ready_count();
  auto connecting = probe::between(before, opened);
  json o;
  o.add("mode", "idle")
      .add("conns", uint64_t{opt.conns})
      .add("connected", uint64_t{n})
      .add("failed", uint64_t{crowd.failed_count()})
      .add("timed_out", !all)
      .add("closed_while_idle", uint64_t{crowd.closed_count()})
      .add("open_s", connecting.wall_s)
      .add("conns_per_s", connecting.wall_s > 0
                              ? static_cast<double>(n) / connecting.wall_s
                              : 0.0)
      .add("cpu_us_per_conn",
           n ? connecting.server_cpu_s * 1e6 / static_cast<double>(n) : 0.0)
      .add("", connecting)
      .add("rss_before_kb", before.server_rss_kb)
      .add("rss_kb", held.server_rss_kb)
      .add("rss_per_conn_kb", n ? (static_cast<double>(held.server_rss_kb) -
                                   static_cast<double>(before.server_rss_kb)) /
                                      static_cast<double>(n)
                                : 0.0)
      .add("hold_s", opt.hold_s);
  if (!crowd.first_failure().empty())
    o.add("first_failure", crowd.first_failure());
  std::cout << o.str() << std::endl;
  return n == opt.conns ? 0 : 1;
}

} // namespace tether::bench
