// W4: a resume storm. Every session asks for five frames (a sys.push of
// three SIGNALs and its REPLY, and an echo), processes the first frame that
// comes back, and then all connections drop at once. All resume together;
// each must then get exactly the frames it had not processed, in order:
// none lost, none twice. Tether only: the peers have no sessions.

#include <iostream>
#include <unordered_map>

#include "codec/value.hpp"
#include "context.hpp"
#include "fleet.hpp"
#include "report.hpp"

namespace tether::bench {

namespace {

using clock = std::chrono::steady_clock;
constexpr uint64_t signals_per_push = 3;
constexpr uint64_t frames_per_session = signals_per_push + 2;

/// What one session has processed, across its two connections.
struct ledger {
  uint64_t push_id = 0;
  uint64_t echo_id = 0;
  uint64_t push_replies = 0;
  uint64_t echo_replies = 0;
  uint64_t signals = 0;
  uint64_t frames = 0;
  bool resumed = false;

  bool complete() const { return frames >= frames_per_session; }
  bool exact() const {
    return push_replies == 1 && echo_replies == 1 &&
           signals == signals_per_push && frames == frames_per_session;
  }
};

class storm {
 public:
  explicit storm(context& cx)
      : cx_(cx), first_(cx.ioc, cx.where, cx.w, cx.opt.max_connecting),
        again_(cx.ioc, cx.where, cx.w, cx.opt.max_connecting),
        books_(cx.opt.conns) {
    first_.on_event([this](peer& p, const event& e) { before_drop(p, e); });
    again_.on_ready([this](peer& p) { on_resumed(p); });
    again_.on_event([this](peer& p, const event& e) { after_resume(p, e); });
  }

  int run();

 private:
  void before_drop(peer& p, const event& e);
  void on_resumed(peer& p);
  void after_resume(peer& p, const event& e);
  void record(ledger& b, const event& e);
  /// sys.push: a REPLY and then three SIGNALs.
  std::string push(uint64_t id) const {
    return cx_.w.request(
        id, "sys.push",
        codec::value::map({{"name", codec::value::of(std::string{"p"})},
                           {"payload", codec::value::of(uint64_t{7})},
                           {"count", codec::value::of(signals_per_push)}})
            .encoded());
  }
  /// The session a connection of the second fleet belongs to.
  ledger& book_of(const peer& p) { return books_[p.index()]; }

  context& cx_;
  fleet first_;
  fleet again_;
  std::vector<ledger> books_;
  size_t paused_ = 0;
  size_t resumed_ = 0;
  size_t complete_ = 0;
  clock::time_point all_resumed_;
  clock::time_point all_complete_;
};

void storm::record(ledger& b, const event& e) {
  if (e.seq == 0)
    return; // only numbered frames belong to the stream
  ++b.frames;
  if (e.kind == event::signal)
    ++b.signals;
  else if (e.kind == event::reply && e.id == b.push_id)
    ++b.push_replies;
  else if (e.kind == event::reply && e.id == b.echo_id)
    ++b.echo_replies;
}

void storm::before_drop(peer& p, const event& e) {
  if (e.seq == 0)
    return;
  // Process exactly one frame, then read nothing more until the drop.
  record(books_[p.index()], e);
  p.pause_reading();
  ++paused_;
}

void storm::on_resumed(peer& p) {
  auto& b = book_of(p);
  b.resumed = true;
  if (++resumed_ == books_.size())
    all_resumed_ = clock::now();
  // The contract: re-send each request whose answer has not arrived, with
  // its same id; the node must not run it twice.
  if (b.push_replies == 0)
    p.send(push(b.push_id));
  if (b.echo_replies == 0)
    p.send(cx_.w.echo(b.echo_id, cx_.w.number(b.echo_id)));
}

void storm::after_resume(peer& p, const event& e) {
  auto& b = book_of(p);
  bool was_complete = b.complete();
  record(b, e);
  if (!was_complete && b.complete() && ++complete_ == books_.size())
    all_complete_ = clock::now();
}

int storm::run() {
  auto n = cx_.opt.conns;
  first_.open(n, setup::session_open);
  cx_.run_until([&] { return first_.settled(); }, cx_.opt.connect_timeout_s);
  if (first_.ready_count() != n) {
    std::cerr << "tether_load: " << first_.failed_count()
              << " sessions did not open: " << first_.first_failure()
              << std::endl;
    return 1;
  }
  for (auto& p : first_.peers()) {
    auto& b = books_[p->index()];
    b.push_id = p->take_id();
    b.echo_id = p->take_id();
    p->send(push(b.push_id));
    p->send(cx_.w.echo(b.echo_id, cx_.w.number(b.echo_id)));
  }
  cx_.run_until([&] { return paused_ == n; }, 30);

  // Every connection drops in the same instant; every session comes back.
  for (auto& p : first_.peers())
    p->drop();
  auto start = cx_.prb.take();
  auto t0 = clock::now();
  again_.resume(first_.peers());
  cx_.run_until([&] { return complete_ == n || again_.failed_count() > 0; },
                cx_.opt.connect_timeout_s);
  // Anything extra (a duplicate) would arrive right behind the replay.
  cx_.run_for(0.2);
  auto end = cx_.prb.take();

  uint64_t lost = 0, twice = 0, gaps = 0, dups = 0;
  for (auto& b : books_) {
    if (!b.complete())
      ++lost;
    else if (!b.exact())
      ++twice;
  }
  for (auto& p : again_.peers()) {
    gaps += p->gaps();
    dups += p->duplicates();
  }
  auto secs = [&](clock::time_point t) {
    return t == clock::time_point{}
               ? -1.0
               : std::chrono::duration<double>(t - t0).count();
  };
  json o;
  o.add("mode", "resume")
      .add("sessions", uint64_t{n})
      .add("frames_per_session", frames_per_session)
      .add("processed_before_drop", uint64_t{paused_})
      .add("resumed", uint64_t{resumed_})
      .add("resume_failed", uint64_t{again_.failed_count()})
      .add("complete", uint64_t{complete_})
      .add("all_resumed_s", secs(all_resumed_))
      .add("all_replayed_s", secs(all_complete_))
      .add("sessions_missing_frames", lost)
      .add("sessions_with_extra_frames", twice)
      .add("seq_gaps", gaps)
      .add("seq_duplicates", dups)
      .add("", probe::between(start, end))
      .add("cpu_us_per_resume", probe::between(start, end).server_cpu_s * 1e6 /
                                    static_cast<double>(n))
      .add("server_rss_kb", end.server_rss_kb);
  if (!again_.first_failure().empty())
    o.add("first_failure", again_.first_failure());
  std::cout << o.str() << std::endl;
  bool clean =
      lost == 0 && twice == 0 && gaps == 0 && dups == 0 && complete_ == n;
  return clean ? 0 : 1;
}

} // namespace

int run_resume(context& cx) {
  return storm{cx}.run();
}

} // namespace tether::bench
