// The store's restart case. restart-prepare, against a node with a store:
// N sessions open, rooms of --members of them are created and joined (the
// answers acknowledged), then every session asks for a sys.push of
// --push-count SIGNALs and acknowledges none of it, so each keeps the
// push's REPLY and its SIGNALs; the tokens, seqs and rooms go to --state,
// and all connections drop. The script then stops that node (SIGTERM: it
// flushes its store). restart, with --exec starting a node on the same
// store: the time from exec to the listening line and to a first
// successful SESSION_RESUME, then the W4 storm for the other sessions (each
// must get every kept frame again, in order, and the re-sent push must not
// run twice), sys.info's counts, and one broadcast per room that every
// member must get.

#include <fstream>
#include <iostream>
#include <sstream>

#include "resume.hpp"

namespace tether::bench {

namespace {

using clock = std::chrono::steady_clock;

struct saved_room {
  std::string id;
  std::vector<size_t> members; // session indices; the first created it
};

double secs(clock::time_point from, clock::time_point to) {
  return to == clock::time_point{} || from == clock::time_point{}
             ? -1.0
             : std::chrono::duration<double>(to - from).count();
}

/// sys.info on a connection of its own (on a session it would add a frame
/// to that session's stream).
bool node_counts(context& cx, uint64_t& sessions, uint64_t& rooms) {
  fleet one(cx.ioc, cx.where, cx.w, 1);
  bool answered = false;
  one.on_ready([&](peer& p) { p.send(cx.w.info(p.take_id())); });
  one.on_event([&](peer&, const event& e) {
    if (e.kind != event::reply)
      return;
    sessions = e.sessions;
    rooms = e.rooms;
    answered = true;
  });
  one.open(1, setup::hello);
  cx.run_until([&] { return answered || one.failed_count() > 0; }, 10);
  for (auto& p : one.peers())
    p->drop();
  return answered;
}

bool write_state(const std::string& path, uint64_t push_count,
                 const std::vector<ledger>& books,
                 const std::vector<saved_room>& rooms) {
  std::ofstream out(path);
  out << "tether-restart-state 1\n"
      << "sessions " << books.size() << " push_count " << push_count << "\n";
  for (const auto& b : books)
    out << "S " << b.token << " " << b.last_seq << " " << b.push_id << "\n";
  out << "rooms " << rooms.size() << "\n";
  for (const auto& r : rooms) {
    out << "R " << r.id;
    for (auto m : r.members)
      out << " " << m;
    out << "\n";
  }
  return static_cast<bool>(out);
}

bool read_state(const std::string& path, std::vector<ledger>& books,
                std::vector<saved_room>& rooms) {
  std::ifstream in(path);
  std::string magic, word;
  int version = 0;
  size_t n = 0, r = 0;
  uint64_t push_count = 0;
  if (!(in >> magic >> version) || magic != "tether-restart-state" ||
      version != 1)
    return false;
  if (!(in >> word >> n >> word >> push_count))
    return false;
  books.resize(n);
  for (auto& b : books) {
    if (!(in >> word >> b.token >> b.last_seq >> b.push_id) || word != "S")
      return false;
    b.push_count = push_count;
  }
  if (!(in >> word >> r))
    return false;
  rooms.resize(r);
  std::string line;
  std::getline(in, line);
  for (auto& room : rooms) {
    if (!std::getline(in, line))
      return false;
    std::istringstream fields(line);
    if (!(fields >> word >> room.id) || word != "R")
      return false;
    for (size_t m; fields >> m;) {
      if (m >= n)
        return false;
      room.members.push_back(m);
    }
  }
  return true;
}

} // namespace

int run_restart_prepare(context& cx) {
  const auto& opt = cx.opt;
  auto n = opt.conns;
  auto per_room = opt.members.front();
  if (opt.state.empty() || opt.rooms * per_room > n || per_room == 0) {
    std::cerr << "tether_load: restart-prepare needs --state and "
                 "--rooms x --members of at most --conns\n";
    return 2;
  }
  enum class phase { opening, creating, joining, pushing } now = phase::opening;
  std::vector<ledger> books(n);
  std::vector<saved_room> rooms(opt.rooms);
  for (size_t r = 0; r < rooms.size(); ++r)
    for (size_t k = 0; k < per_room; ++k)
      rooms[r].members.push_back(r * per_room + k);
  std::vector<size_t> room_of(n, SIZE_MAX);
  for (size_t r = 0; r < rooms.size(); ++r)
    for (auto m : rooms[r].members)
      room_of[m] = r;
  size_t created = 0, joined = 0, pushed = 0, errors = 0;
  std::string first_error;
  fleet crowd(cx.ioc, cx.where, cx.w, opt.max_connecting);
  crowd.on_event([&](peer& p, const event& e) {
    auto i = p.index();
    if (e.kind == event::error || e.kind == event::retry) {
      if (errors++ == 0)
        first_error = e.kind == event::retry ? "retry" : e.text;
      return;
    }
    if (now == phase::creating && e.kind == event::reply) {
      rooms[room_of[i]].id = e.text;
      ++created;
    } else if (now == phase::joining && e.kind == event::reply) {
      ++joined;
    } else if (now == phase::pushing) {
      auto& b = books[i];
      bool was = b.complete();
      b.record(e);
      if (!was && b.complete())
        ++pushed;
    }
  });
  auto start = cx.prb.take();
  auto t0 = clock::now();
  crowd.open(n, setup::session_open);
  cx.run_until([&] { return crowd.settled(); }, opt.connect_timeout_s);
  auto t_open = clock::now();
  auto& peers = crowd.peers();
  auto failed = [&](const std::string& what) {
    std::cerr << "tether_load: " << what << " (" << crowd.failed_count()
              << " connections failed: " << crowd.first_failure() << "; "
              << errors << " errors: " << first_error << ")" << std::endl;
    return 1;
  };
  if (crowd.ready_count() != n)
    return failed("sessions did not all open");

  now = phase::creating;
  for (auto& r : rooms)
    peers[r.members.front()]->send(
        cx.w.room_create(peers[r.members.front()]->take_id(), per_room));
  cx.run_until([&] { return created == rooms.size() || errors > 0; }, 60);
  if (created != rooms.size())
    return failed("rooms were not all created");
  now = phase::joining;
  size_t joins = 0;
  for (auto& r : rooms)
    for (size_t k = 1; k < r.members.size(); ++k, ++joins)
      peers[r.members[k]]->send(
          cx.w.room_join(peers[r.members[k]]->take_id(), r.id));
  cx.run_until([&] { return joined == joins || errors > 0; }, 60);
  if (joined != joins)
    return failed("members did not all join");
  auto t_rooms = clock::now();

  // Everything so far acknowledged; the push's frames stay kept.
  now = phase::pushing;
  for (auto& p : peers)
    keep_push(*p, books[p->index()], cx.w, opt.push_count);
  cx.run_until([&] { return pushed == n || errors > 0; }, 60);
  // Anything extra would arrive right behind.
  cx.run_for(0.1);
  auto t_pushed = clock::now();
  if (pushed != n)
    return failed("pushes did not all arrive");
  uint64_t kept_ok = 0, gaps = 0, dups = 0;
  for (auto& p : peers) {
    auto& b = books[p->index()];
    if (b.exact() && p->last_seq() - b.last_seq == b.expected())
      ++kept_ok;
    gaps += p->gaps();
    dups += p->duplicates();
  }
  auto end = cx.prb.take();
  uint64_t sessions = 0, live_rooms = 0;
  bool counted = node_counts(cx, sessions, live_rooms);

  // The ledgers start afresh for the restart: nothing after last_seq has
  // been processed.
  for (auto& b : books)
    b = b.unprocessed();
  if (!write_state(opt.state, opt.push_count, books, rooms)) {
    std::cerr << "tether_load: cannot write " << opt.state << std::endl;
    return 1;
  }
  for (auto& p : peers)
    p->drop();
  // The node notices the drops before it is told to stop.
  cx.run_for(0.3);

  auto m = probe::between(start, end);
  json o;
  o.add("mode", "restart-prepare")
      .add("sessions", uint64_t{n})
      .add("rooms", uint64_t{rooms.size()})
      .add("members", uint64_t{per_room})
      .add("push_count", opt.push_count)
      .add("kept_frames_per_session", opt.push_count + 1)
      .add("sessions_kept_ok", kept_ok)
      .add("seq_gaps", gaps)
      .add("seq_duplicates", dups)
      .add("open_s", secs(t0, t_open))
      .add("rooms_s", secs(t_open, t_rooms))
      .add("push_s", secs(t_rooms, t_pushed))
      .add("prepare_s", secs(t0, t_pushed))
      .add("", m)
      .add("server_rss_kb", end.server_rss_kb)
      .add("info_answered", counted)
      .add("info_sessions", sessions)
      .add("info_rooms", live_rooms);
  std::cout << o.str() << std::endl;
  return kept_ok == n && counted ? 0 : 1;
}

int run_restart(context& cx) {
  auto at_listening = cx.prb.take();
  std::vector<ledger> books;
  std::vector<saved_room> rooms;
  if (cx.child.pid <= 0 || !read_state(cx.opt.state, books, rooms)) {
    std::cerr << "tether_load: restart needs --exec and the --state that "
                 "restart-prepare wrote"
              << std::endl;
    return 2;
  }
  json o;
  o.add("mode", "restart")
      .add("listening_s", secs(cx.child.exec_at, cx.child.listening_at))
      .add("restore_cpu_s", at_listening.server_cpu_s)
      .add("rss_at_listening_kb", at_listening.server_rss_kb)
      .add("kept_frames_per_session",
           books.empty() ? uint64_t{0} : books.front().expected());
  storm s(cx, books);
  bool clean = s.run(o, true);
  o.add("first_resume_s", secs(cx.child.exec_at, s.first_resumed()));

  uint64_t sessions = 0, live_rooms = 0;
  bool counted = node_counts(cx, sessions, live_rooms);
  o.add("info_answered", counted)
      .add("info_sessions", sessions)
      .add("info_rooms", live_rooms);

  // One broadcast per room, from its creator: every member must get it.
  auto& peers = s.connections().peers();
  std::vector<uint64_t> delivered(rooms.size());
  uint64_t deliveries = 0, expected = 0, room_errors = 0;
  std::string first_error;
  s.connections().on_event([&](peer&, const event& e) {
    if (e.kind == event::room_message && e.number >= 1 &&
        e.number <= rooms.size()) {
      ++delivered[e.number - 1];
      ++deliveries;
    } else if (e.kind == event::error || e.kind == event::retry) {
      if (room_errors++ == 0)
        first_error = e.kind == event::retry ? "retry" : e.text;
    }
  });
  auto t_rooms = clock::now();
  for (size_t r = 0; r < rooms.size(); ++r) {
    auto& sender = *peers[rooms[r].members.front()];
    expected += rooms[r].members.size();
    sender.send(cx.w.room_broadcast(sender.take_id(), rooms[r].id,
                                    cx.w.number(r + 1), false));
  }
  cx.run_until([&] { return deliveries >= expected || room_errors > 0; }, 10);
  cx.run_for(0.1);
  uint64_t rooms_ok = 0;
  for (size_t r = 0; r < rooms.size(); ++r)
    rooms_ok += delivered[r] == rooms[r].members.size() ? 1 : 0;
  o.add("rooms", uint64_t{rooms.size()})
      .add("rooms_all_delivered", rooms_ok)
      .add("room_deliveries", deliveries)
      .add("room_deliveries_expected", expected)
      .add("room_errors", room_errors)
      .add("rooms_check_s", secs(t_rooms, clock::now()));
  if (!first_error.empty())
    o.add("room_first_error", first_error);

  for (auto& p : peers)
    p->drop();
  double stop_s = 0;
  auto status = stop(cx.child, 30, stop_s);
  o.add("second_stop_s", stop_s)
      .add("second_exit_status", static_cast<double>(status));
  std::cout << o.str() << std::endl;
  bool all = clean && counted && sessions == books.size() &&
             live_rooms == rooms.size() && rooms_ok == rooms.size();
  return all ? 0 : 1;
}

} // namespace tether::bench
