// The cluster: draining a node into the others. --conns sessions open at
// node a, each keeps a sys.push of --push-count SIGNALs and its REPLY
// unacknowledged; then a is asked to drain (POST /api/v1/drain). It should
// hand every session to the other nodes, close each connection with CLOSE 5
// naming the session's new node, and exit 0. Each client resumes where it is
// sent, as if it had processed nothing since its last ACK, and re-sends its
// push under the same id: it must get each kept frame once (the push must
// not run again). Times count from the drain request.

#include <iostream>

#include "cluster_resumer.hpp"
#include "http_call.hpp"
#include "resume.hpp"

namespace tether::bench {

namespace {

using clock = std::chrono::steady_clock;

class drain {
 public:
  explicit drain(context& cx)
      : cx_(cx), at_a_(cx.ioc, cx.where, cx.w, cx.opt.max_connecting),
        again_(cx), books_(cx.opt.conns), sent_to_(cx.nodes->nodes().size()) {
    at_a_.on_event([this](peer& p, const event& e) { kept(p, e); });
    at_a_.on_closed([this](peer& p) { closed(p); });
    again_.on_resumed([this](size_t s, peer& p) {
      books_[s].resumed = true;
      books_[s].resend(p, cx_.w);
      if (++resumed_ == books_.size())
        all_resumed_ = clock::now();
    });
    again_.on_event([this](size_t s, peer&, const event& e) {
      auto& b = books_[s];
      bool was = b.complete();
      b.record(e);
      if (!was && b.complete() && ++complete_ == books_.size())
        all_complete_ = clock::now();
    });
    again_.on_failed(
        [this](size_t, const std::string& why) { give_up("resume: " + why); });
  }

  int run();

 private:
  bool prepare();
  void kept(peer& p, const event& e);
  void closed(peer& p);
  void give_up(const std::string& why) {
    if (lost_++ == 0)
      first_failure_ = why;
  }
  bool settled() const { return complete_ + lost_ == books_.size(); }
  double secs(clock::time_point t) const {
    return t == clock::time_point{}
               ? -1.0
               : std::chrono::duration<double>(t - t0_).count();
  }

  context& cx_;
  fleet at_a_;
  resumer again_;
  std::vector<ledger> books_;
  std::vector<uint64_t> sent_to_; // CLOSE 5 redirects, by node named
  bool draining_ = false;
  size_t pushed_ = 0;
  size_t closed_ = 0;
  size_t resumed_ = 0;
  size_t complete_ = 0;
  size_t lost_ = 0; // sessions given up: no redirect, or the resume failed
  uint64_t empty_redirects_ = 0;
  unsigned drain_status_ = 0; // the HTTP status of the drain request
  std::string first_failure_;
  clock::time_point t0_, all_closed_, all_resumed_, all_complete_, exited_;
};

void drain::kept(peer& p, const event& e) {
  if (draining_)
    return;
  auto& b = books_[p.index()];
  bool was = b.complete();
  b.record(e);
  if (!was && b.complete())
    ++pushed_;
}

void drain::closed(peer& p) {
  if (++closed_ == books_.size())
    all_closed_ = clock::now();
  if (!draining_)
    return give_up("closed before the drain: " + p.failure());
  if (p.close_code() == 5 && p.redirect().empty()) {
    ++empty_redirects_;
    return give_up("CLOSE 5 with an empty redirect");
  }
  int to = cx_.nodes->node_of(p.redirect());
  if (p.close_code() != 5 || to <= 0)
    return give_up(p.failure() + " (redirect '" + p.redirect() + "')");
  ++sent_to_[static_cast<size_t>(to)];
  const auto& b = books_[p.index()];
  again_.resume(static_cast<size_t>(to), p.index(), b.token, b.last_seq);
}

bool drain::prepare() {
  auto n = books_.size();
  if (!open_sessions(cx_, at_a_, n))
    return false;
  for (auto& p : at_a_.peers())
    keep_push(*p, books_[p->index()], cx_.w, cx_.opt.push_count);
  cx_.run_until([&] { return pushed_ == n; }, 60);
  if (pushed_ != n) {
    std::cerr << "tether_load: " << n - pushed_ << " pushes did not all arrive"
              << std::endl;
    return false;
  }
  // Each resumes as if it had processed nothing since its last ACK.
  for (auto& b : books_)
    b = b.unprocessed();
  return true;
}

int drain::run() {
  auto prepared_from = clock::now();
  if (!prepare())
    return 1;
  auto prepare_s =
      std::chrono::duration<double>(clock::now() - prepared_from).count();
  auto& a = cx_.nodes->nodes().front();
  std::cerr << "  draining a (" << books_.size() << " sessions, "
            << books_.front().expected() << " kept frames each) ..."
            << std::endl;
  int exit_status = -2;
  draining_ = true;
  t0_ = clock::now();
  http_call(cx_.ioc, a.where, "POST", "/api/v1/drain", cx_.nodes->token(), "{}",
            [this](const http_answer& r) {
              drain_status_ = r.status;
              if (!r.status && first_failure_.empty())
                first_failure_ = "the drain request: " + r.failure;
            });
  auto a_exited = [&] {
    if (exited_ == clock::time_point{} && ended(a.process, exit_status))
      exited_ = clock::now();
    return exited_ != clock::time_point{};
  };
  cx_.run_until([&] { return a_exited() && settled(); },
                cx_.opt.connect_timeout_s);
  // Anything extra (a duplicate) would arrive right behind the replay.
  cx_.run_for(0.2);
  bool handed_over = empty_redirects_ == 0 && resumed_ == books_.size();
  json o;
  o.add("mode", "drain")
      .add("nodes", uint64_t{cx_.nodes->nodes().size()})
      .add("sessions", uint64_t{books_.size()})
      .add("kept_frames_per_session", books_.front().expected())
      .add("prepare_s", prepare_s)
      .add("drain_http_status", uint64_t{drain_status_})
      .add("exit_status", static_cast<double>(exit_status))
      .add("exit_s", secs(exited_))
      .add("all_closed_s", secs(all_closed_))
      .add("all_resumed_s", secs(all_resumed_))
      .add("all_replayed_s", secs(all_complete_))
      .add("closed", uint64_t{closed_})
      .add("empty_redirects", empty_redirects_)
      .add("redirected_to_b", sent_to_.size() > 1 ? sent_to_[1] : 0)
      .add("redirected_to_c", sent_to_.size() > 2 ? sent_to_[2] : 0)
      .add("redirects_followed", again_.redirects())
      .add("resumed", uint64_t{resumed_})
      .add("complete", uint64_t{complete_})
      .add("given_up", uint64_t{lost_})
      .add("handed_over", handed_over);
  bool exact =
      add_replay(o, books_, again_.gaps(), again_.duplicates()) && handed_over;
  if (!handed_over)
    o.add("note", empty_redirects_ == books_.size()
                      ? "drain did not hand sessions over (every CLOSE 5 had "
                        "an empty redirect)"
                      : "drain did not hand every session over");
  if (!first_failure_.empty())
    o.add("first_failure", first_failure_);
  std::cout << o.str() << std::endl;
  return exact && exit_status == 0 ? 0 : 1;
}

} // namespace

int run_drain(context& cx) {
  return drain{cx}.run();
}

} // namespace tether::bench
