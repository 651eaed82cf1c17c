// W3: room fan-out, in the manner of hashrocket's websocket-shootout. Each
// room's first member keeps `inflight` broadcasts going; a broadcast's round
// trip ends when the last member has it. With one room the members are
// stepped up until the p95 round trip passes the limit; with many rooms
// (say 1000 of 10) there is one step. With --nodes 3 the members are spread
// over a cluster's nodes and the server's CPU is summed over them.

#include <iostream>
#include <unordered_map>

#include "cluster.hpp"
#include "fleet.hpp"
#include "histogram.hpp"
#include "report.hpp"

namespace tether::bench {

namespace {

using clock = std::chrono::steady_clock;

struct room {
  std::string id;
  std::vector<peer*> members; // members[0] creates the room and broadcasts
  size_t joined = 0;
};

struct pending {
  size_t room = 0;
  clock::time_point sent;
  size_t remaining = 0;
};

enum class stage : uint8_t { waiting, creating, joining, member };

class fanout {
 public:
  explicit fanout(context& cx)
      : cx_(cx), crowd_(cx.ioc, cx.where, cx.w, cx.opt.max_connecting),
        rooms_(cx.opt.rooms) {
    crowd_.on_ready([this](peer& p) { on_ready(p); });
    crowd_.on_event([this](peer& p, const event& e) { on_event(p, e); });
    crowd_.on_closed([this](peer&) { ++lost_members_; });
    // A cluster: members in turn on each node, the first (who creates the
    // room and broadcasts) on a.
    if (cx.nodes) {
      std::vector<target> wheres;
      for (const auto& n : cx.nodes->nodes())
        wheres.push_back(n.where);
      crowd_.spread(std::move(wheres));
    }
  }

  int run();

 private:
  bool grow(size_t per_room);
  json measure(size_t per_room, bool& passed);
  void on_ready(peer& p);
  void on_event(peer& p, const event& e);
  void join(peer& p);
  void broadcast(size_t r);

  context& cx_;
  fleet crowd_;
  std::vector<room> rooms_;
  std::vector<size_t> room_of_; // by peer index
  std::vector<stage> stage_;    // by peer index
  std::unordered_map<uint64_t, pending> pending_;
  uint64_t next_number_ = 1;
  bool running_ = false;
  histogram rtt_;
  uint64_t completed_ = 0;
  uint64_t deliveries_ = 0;
  uint64_t errors_ = 0;
  size_t lost_members_ = 0;
  std::string first_error_;
};

int fanout::run() {
  std::vector<json> steps;
  size_t best = 0;
  json best_step;
  bool failed = false;
  for (auto per_room : cx_.opt.members) {
    std::cerr << "  fan-out: " << cx_.opt.rooms << " room(s) of " << per_room
              << " members ..." << std::endl;
    if (!grow(per_room)) {
      failed = true;
      break;
    }
    bool passed = false;
    auto step = measure(per_room, passed);
    steps.push_back(step);
    if (!passed)
      break;
    best = per_room;
    best_step = step;
  }
  json o;
  o.add("mode", "fanout")
      .add("nodes", uint64_t{cx_.opt.nodes})
      .add("rooms", uint64_t{cx_.opt.rooms})
      .add("inflight", uint64_t{cx_.opt.inflight})
      .add("p95_limit_ms", cx_.opt.p95_limit_ms)
      .add("max_members_within_limit", uint64_t{best})
      .add("setup_failed", failed)
      .add("connected", uint64_t{crowd_.ready_count()})
      .add("failed", uint64_t{crowd_.failed_count()})
      .add("lost_members", uint64_t{lost_members_})
      .add("errors", errors_)
      .add_raw("steps", json_array(steps));
  if (best)
    o.add_raw("best", best_step.str());
  if (!crowd_.first_failure().empty())
    o.add("first_failure", crowd_.first_failure());
  if (!first_error_.empty())
    o.add("first_error", first_error_);
  std::cout << o.str() << std::endl;
  return failed ? 1 : 0;
}

bool fanout::grow(size_t per_room) {
  size_t more = 0;
  for (size_t r = 0; r < rooms_.size(); ++r) {
    for (size_t k = rooms_[r].members.size(); k < per_room; ++k) {
      room_of_.push_back(r);
      stage_.push_back(stage::waiting);
      ++more;
    }
  }
  auto first = crowd_.peers().size();
  crowd_.open(more, cx_.session_setup());
  for (size_t i = first; i < crowd_.peers().size(); ++i)
    rooms_[room_of_[i]].members.push_back(crowd_.peers()[i].get());
  auto all_joined = [&] {
    for (auto& r : rooms_)
      if (r.joined < r.members.size())
        return false;
    return true;
  };
  bool ok = cx_.run_until(
      [&] { return all_joined() || crowd_.failed_count() > 0 || errors_ > 0; },
      cx_.opt.connect_timeout_s);
  if (!ok || !all_joined()) {
    std::cerr << "tether_load: members did not all join ("
              << crowd_.failed_count() << " failed to connect, " << errors_
              << " errors; " << crowd_.first_failure() << first_error_ << ")"
              << std::endl;
    return false;
  }
  return true;
}

void fanout::on_ready(peer& p) {
  auto& r = rooms_[room_of_[p.index()]];
  if (!r.id.empty())
    return join(p);
  if (r.members.front() == &p) {
    stage_[p.index()] = stage::creating;
    p.send(cx_.w.room_create(p.take_id(), cx_.opt.members.back() + 1));
  }
}

void fanout::join(peer& p) {
  stage_[p.index()] = stage::joining;
  p.send(cx_.w.room_join(p.take_id(), rooms_[room_of_[p.index()]].id));
}

void fanout::on_event(peer& p, const event& e) {
  auto i = p.index();
  if (e.kind == event::room_message) {
    auto k = pending_.find(e.number);
    if (k == pending_.end())
      return;
    ++deliveries_;
    if (--k->second.remaining > 0)
      return;
    auto r = k->second.room;
    rtt_.record_since(k->second.sent);
    ++completed_;
    pending_.erase(k);
    if (running_)
      broadcast(r);
    return;
  }
  if (e.kind == event::error || e.kind == event::retry) {
    if (errors_++ == 0)
      first_error_ = e.text.empty() ? "retry" : e.text;
    return;
  }
  if (e.kind != event::reply)
    return;
  auto& r = rooms_[room_of_[i]];
  if (stage_[i] == stage::creating) {
    r.id = e.text;
    for (auto* m : r.members)
      if (m->ready() && stage_[m->index()] != stage::joining)
        join(*m);
  } else if (stage_[i] == stage::joining) {
    stage_[i] = stage::member;
    ++r.joined;
  }
}

void fanout::broadcast(size_t r) {
  auto& rm = rooms_[r];
  auto* sender = rm.members.front();
  auto number = next_number_++;
  pending_[number] = {r, clock::now(), rm.members.size()};
  sender->send(cx_.w.room_broadcast(sender->take_id(), rm.id,
                                    cx_.w.number(number), false));
}

json fanout::measure(size_t per_room, bool& passed) {
  rtt_ = histogram{};
  completed_ = deliveries_ = 0;
  auto lost_before = lost_members_;
  auto start = cx_.prb.take();
  running_ = true;
  for (size_t r = 0; r < rooms_.size(); ++r)
    for (size_t k = 0; k < cx_.opt.inflight; ++k)
      broadcast(r);
  cx_.run_for(cx_.opt.duration_s);
  running_ = false;
  cx_.run_until([&] { return pending_.empty(); }, 5);
  auto end = cx_.prb.take();
  auto incomplete = pending_.size();
  pending_.clear();
  auto m = probe::between(start, end);
  auto p95_ms = rtt_.percentile_us(0.95) / 1e3;
  passed = completed_ > 0 && incomplete == 0 && p95_ms <= cx_.opt.p95_limit_ms;
  json s;
  s.add("members", uint64_t{per_room})
      .add("broadcasts", completed_)
      .add("incomplete", uint64_t{incomplete})
      .add("lost_members", uint64_t{lost_members_ - lost_before})
      .add("deliveries", deliveries_)
      .add("deliveries_per_s",
           m.wall_s > 0 ? static_cast<double>(deliveries_) / m.wall_s : 0.0)
      .add("deliveries_per_server_cpu_s",
           m.server_cpu_s > 0
               ? static_cast<double>(deliveries_) / m.server_cpu_s
               : 0.0)
      .add("cpu_us_per_delivery",
           deliveries_ ? m.server_cpu_s * 1e6 / static_cast<double>(deliveries_)
                       : 0.0)
      .add("", m)
      .add("rtt_", rtt_)
      .add("server_rss_kb", end.server_rss_kb)
      .add("passed", passed);
  std::cerr << "    p95 " << p95_ms << " ms, " << completed_
            << " broadcasts, server CPU/wall " << m.server_util()
            << ", generator " << m.self_util() << std::endl;
  return s;
}

} // namespace

int run_fanout(context& cx) {
  return fanout{cx}.run();
}

} // namespace tether::bench
