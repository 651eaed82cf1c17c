// The cluster: moving idle sessions. --conns sessions open at node a and
// stay idle; one after the other, each is moved to node b through a's admin
// API (POST /api/v1/sessions/ID/migrate {"to": "b"}, which answers 200 once
// the session lives on b). A migration's latency is that request's, as the
// operator sees it (its own connection included); the CPU is summed over
// every node. Each client should get CLOSE 5 naming b.

#include <iostream>

#include "cluster.hpp"
#include "fleet.hpp"
#include "histogram.hpp"
#include "http_call.hpp"
#include "report.hpp"

namespace tether::bench {

namespace {

using clock = std::chrono::steady_clock;

class migrations {
 public:
  explicit migrations(context& cx)
      : cx_(cx), idle_(cx.ioc, cx.where, cx.w, cx.opt.max_connecting) {
    idle_.on_closed([this](peer& p) {
      ++closed_;
      if (p.close_code() == 5 && cx_.nodes->node_of(p.redirect()) == to_)
        ++redirected_;
    });
  }

  int run();

 private:
  void next();

  context& cx_;
  fleet idle_;
  const int to_ = 1; // b
  size_t done_ = 0;
  uint64_t moved_ = 0;
  uint64_t refused_ = 0;
  uint64_t closed_ = 0;
  uint64_t redirected_ = 0;
  std::string first_refusal_;
  histogram latency_;
};

void migrations::next() {
  auto& peers = idle_.peers();
  if (done_ == peers.size())
    return;
  auto& a = cx_.nodes->nodes().front();
  auto path = "/api/v1/sessions/" + peers[done_]->session_id() + "/migrate";
  auto sent = clock::now();
  http_call(cx_.ioc, a.where, "POST", path, cx_.nodes->token(), R"({"to":"b"})",
            [this, sent](const http_answer& answer) {
              latency_.record_since(sent);
              if (answer.status == 200 &&
                  answer.body.find("\"b\"") != std::string::npos) {
                ++moved_;
              } else if (refused_++ == 0) {
                first_refusal_ = std::to_string(answer.status) + " " +
                                 answer.body + answer.failure;
              }
              ++done_;
              next();
            });
}

int migrations::run() {
  auto n = cx_.opt.conns;
  if (!open_sessions(cx_, idle_, n))
    return 1;
  cx_.run_for(cx_.opt.hold_s);
  std::cerr << "  migrating " << n << " idle sessions from a to b, one at a "
            << "time ..." << std::endl;
  auto start = cx_.prb.take();
  next();
  cx_.run_until([&] { return done_ == n; }, 300);
  auto end = cx_.prb.take();
  // The last CLOSE 5 may come just after its 200.
  cx_.run_until([&] { return closed_ == n; }, 2);
  auto m = probe::between(start, end);
  json o;
  o.add("mode", "migrate")
      .add("nodes", uint64_t{cx_.nodes->nodes().size()})
      .add("sessions", uint64_t{n})
      .add("migrated", moved_)
      .add("refused", refused_)
      .add("unanswered", uint64_t{n - done_})
      .add("clients_closed", closed_)
      .add("clients_redirected_to_b", redirected_)
      .add("migrations_per_s",
           m.wall_s > 0 ? static_cast<double>(done_) / m.wall_s : 0.0)
      .add("cpu_us_per_migration",
           done_ ? m.server_cpu_s * 1e6 / static_cast<double>(done_) : 0.0)
      .add("", m)
      .add("migrate_", latency_)
      .add("server_rss_kb", end.server_rss_kb);
  if (!first_refusal_.empty())
    o.add("first_refusal", first_refusal_);
  std::cout << o.str() << std::endl;
  return moved_ == n && redirected_ == n ? 0 : 1;
}

} // namespace

int run_migrate(context& cx) {
  return migrations{cx}.run();
}

} // namespace tether::bench
