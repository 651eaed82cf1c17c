// W4: a resume storm. Every session asks for five frames (a sys.push of
// three SIGNALs and its REPLY, and an echo), processes the first frame that
// comes back, and then all connections drop at once. All resume together;
// each must then get exactly the frames it had not processed, in order:
// none lost, none twice. Tether only: the peers have no sessions.

#include "resume.hpp"

#include <iostream>

namespace tether::bench {

void ledger::record(const event& e) {
  if (e.seq == 0)
    return; // only numbered frames belong to the stream
  ++frames;
  if (e.kind == event::signal)
    ++signals;
  else if (e.kind == event::reply && e.id == push_id)
    ++push_replies;
  else if (e.kind == event::reply && echo_id != 0 && e.id == echo_id)
    ++echo_replies;
}

void ledger::resend(peer& p, const wire& w) const {
  if (push_replies == 0)
    p.send(push_request(w, push_id, push_count));
  if (echo_id != 0 && echo_replies == 0)
    p.send(w.echo(echo_id, w.number(echo_id)));
}

std::string push_request(const wire& w, uint64_t id, uint64_t count) {
  return w.push(id, count, w.number(7));
}

void keep_push(peer& p, ledger& b, const wire& w, uint64_t count) {
  p.ack_now();
  p.hold_acks(true);
  b.token = p.token();
  b.last_seq = p.acked();
  b.push_id = p.take_id();
  b.push_count = count;
  p.send(push_request(w, b.push_id, b.push_count));
}

storm::storm(context& cx, std::vector<ledger>& books)
    : cx_(cx), books_(books),
      again_(cx.ioc, cx.where, cx.w, cx.opt.max_connecting) {
  again_.on_ready([this](peer& p) { on_resumed(p); });
  again_.on_event([this](peer& p, const event& e) { after_resume(p, e); });
}

void storm::on_resumed(peer& p) {
  auto& b = books_[p.index()];
  b.resumed = true;
  if (resumed_++ == 0)
    first_resumed_ = clock::now();
  if (resumed_ == books_.size())
    all_resumed_ = clock::now();
  b.resend(p, cx_.w);
}

void storm::after_resume(peer& p, const event& e) {
  auto& b = books_[p.index()];
  bool was_complete = b.complete();
  b.record(e);
  if (!was_complete && b.complete() && ++complete_ == books_.size())
    all_complete_ = clock::now();
}

bool add_replay(json& o, const std::vector<ledger>& books, uint64_t gaps,
                uint64_t dups) {
  uint64_t lost = 0, twice = 0;
  for (const auto& b : books) {
    if (!b.complete())
      ++lost;
    else if (!b.exact())
      ++twice;
  }
  o.add("sessions_missing_frames", lost)
      .add("sessions_with_extra_frames", twice)
      .add("seq_gaps", gaps)
      .add("seq_duplicates", dups);
  return lost == 0 && twice == 0 && gaps == 0 && dups == 0;
}

bool storm::run(json& o, bool first_alone) {
  auto n = books_.size();
  size_t from = 0;
  if (first_alone && n > 0) {
    again_.resume(books_[0].token, books_[0].last_seq);
    cx_.run_until([&] { return again_.settled(); }, cx_.opt.connect_timeout_s);
    from = 1;
  }
  auto start = cx_.prb.take();
  auto t0 = clock::now();
  for (size_t i = from; i < n; ++i)
    again_.resume(books_[i].token, books_[i].last_seq);
  cx_.run_until([&] { return complete_ == n || again_.failed_count() > 0; },
                cx_.opt.connect_timeout_s);
  // Anything extra (a duplicate) would arrive right behind the replay.
  cx_.run_for(0.2);
  auto end = cx_.prb.take();

  uint64_t gaps = 0, dups = 0;
  for (auto& p : again_.peers()) {
    gaps += p->gaps();
    dups += p->duplicates();
  }
  auto secs = [&](clock::time_point t) {
    return t == clock::time_point{}
               ? -1.0
               : std::chrono::duration<double>(t - t0).count();
  };
  auto stormed = n - from;
  o.add("sessions", uint64_t{n})
      .add("resumed", uint64_t{resumed_})
      .add("resume_failed", uint64_t{again_.failed_count()})
      .add("complete", uint64_t{complete_})
      .add("all_resumed_s", secs(all_resumed_))
      .add("all_replayed_s", secs(all_complete_));
  bool exact = add_replay(o, books_, gaps, dups);
  o.add("", probe::between(start, end))
      .add("cpu_us_per_resume", stormed
                                    ? probe::between(start, end).server_cpu_s *
                                          1e6 / static_cast<double>(stormed)
                                    : 0.0)
      .add("server_rss_kb", end.server_rss_kb);
  if (!again_.first_failure().empty())
    o.add("first_failure", again_.first_failure());
  return exact && complete_ == n;
}

namespace {

constexpr uint64_t signals_per_push = 3;

} // namespace

int run_resume(context& cx) {
  auto n = cx.opt.conns;
  std::vector<ledger> books(n);
  fleet first(cx.ioc, cx.where, cx.w, cx.opt.max_connecting);
  size_t paused = 0;
  first.on_event([&](peer& p, const event& e) {
    if (e.seq == 0)
      return;
    // Process exactly one frame, then read nothing more until the drop.
    books[p.index()].record(e);
    p.pause_reading();
    ++paused;
  });
  if (!open_sessions(cx, first, n))
    return 1;
  for (auto& p : first.peers()) {
    auto& b = books[p->index()];
    b.push_id = p->take_id();
    b.echo_id = p->take_id();
    b.push_count = signals_per_push;
    p->send(push_request(cx.w, b.push_id, b.push_count));
    p->send(cx.w.echo(b.echo_id, cx.w.number(b.echo_id)));
  }
  cx.run_until([&] { return paused == n; }, 30);

  // Every connection drops in the same instant; every session comes back.
  for (auto& p : first.peers()) {
    p->drop();
    books[p->index()].token = p->token();
    books[p->index()].last_seq = p->last_seq();
  }
  storm s(cx, books);
  json o;
  o.add("mode", "resume")
      .add("frames_per_session", signals_per_push + 2)
      .add("processed_before_drop", uint64_t{paused});
  bool clean = s.run(o, false);
  std::cout << o.str() << std::endl;
  return clean ? 0 : 1;
}

} // namespace tether::bench
