// The cluster: a resume at a node that does not own the session against
// one at its owner. --conns sessions open at node a and their connections
// drop; then, one at a time, each resumes twice: at a directly, and at b,
// which answers CLOSE 5 naming a, where the client resumes again (the order
// of the two alternates from session to session). Each resume's time runs
// from its first connect to the SESSION that says it resumed, as the client
// sees it; the connection then drops again.

#include <iostream>

#include "cluster_resumer.hpp"
#include "histogram.hpp"
#include "report.hpp"

namespace tether::bench {

namespace {

using clock = std::chrono::steady_clock;

class resumes {
 public:
  explicit resumes(context& cx)
      : cx_(cx), first_(cx.ioc, cx.where, cx.w, cx.opt.max_connecting),
        again_(cx) {
    again_.on_resumed([this](size_t s, peer& p) {
      (via_b_ ? via_b_time_ : direct_time_).record_since(started_);
      // A resume hands out the stream's next token.
      tokens_[s] = p.token();
      seqs_[s] = p.last_seq();
      p.drop();
      next();
    });
    again_.on_failed([this](size_t, const std::string& why) {
      if (failed_++ == 0)
        first_failure_ = why;
      next();
    });
  }

  int run();

 private:
  void next();

  context& cx_;
  fleet first_;
  resumer again_;
  size_t done_ = 0; // resumes started
  bool via_b_ = false;
  clock::time_point started_;
  histogram direct_time_;
  histogram via_b_time_;
  std::vector<std::string> tokens_; // each session's current stream token
  std::vector<uint64_t> seqs_;
  uint64_t failed_ = 0;
  std::string first_failure_;
};

void resumes::next() {
  auto& peers = first_.peers();
  if (done_ == 2 * peers.size()) {
    ++done_; // finished
    return;
  }
  auto i = done_ / 2;
  // Session i resumes at a first when i is even, at b first when odd.
  via_b_ = (done_ % 2 == 0) == (i % 2 == 1);
  ++done_;
  started_ = clock::now();
  again_.resume(via_b_ ? 1 : 0, i, tokens_[i], seqs_[i]);
}

int resumes::run() {
  auto n = cx_.opt.conns;
  if (!open_sessions(cx_, first_, n))
    return 1;
  for (auto& p : first_.peers()) {
    tokens_.push_back(p->token());
    seqs_.push_back(p->last_seq());
    p->drop();
  }
  // The node notices the drops before the first resume.
  cx_.run_for(0.3);
  std::cerr << "  resuming " << n << " sessions at a and at b (redirected "
            << "to a), one at a time ..." << std::endl;
  auto start = cx_.prb.take();
  next();
  cx_.run_until([&] { return done_ > 2 * n; }, 300);
  auto end = cx_.prb.take();
  auto m = probe::between(start, end);
  auto p50_ratio =
      direct_time_.percentile_us(0.5) > 0
          ? via_b_time_.percentile_us(0.5) / direct_time_.percentile_us(0.5)
          : 0.0;
  json o;
  o.add("mode", "cluster-resume")
      .add("nodes", uint64_t{cx_.nodes->nodes().size()})
      .add("sessions", uint64_t{n})
      .add("resumed_at_owner", direct_time_.count())
      .add("resumed_via_other", via_b_time_.count())
      .add("redirects", again_.redirects())
      .add("resumes_at_a", again_.resumed_at().front())
      .add("resume_failed", failed_)
      .add("via_over_owner_p50", p50_ratio)
      .add("", m)
      .add("owner_", direct_time_)
      .add("via_", via_b_time_);
  if (!first_failure_.empty())
    o.add("first_failure", first_failure_);
  std::cout << o.str() << std::endl;
  return failed_ == 0 && again_.resumed_at().front() == 2 * n ? 0 : 1;
}

} // namespace

int run_cluster_resume(context& cx) {
  return resumes{cx}.run();
}

} // namespace tether::bench
