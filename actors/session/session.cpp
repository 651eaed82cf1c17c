#include "tether/actors/session/session.hpp"

#include <caf/actor_system.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "tether/actors/cluster/peers.hpp"
#include "tether/actors/log.hpp"
#include "tether/store/batch.hpp"

namespace tether {

namespace {

using pointer = session_actor::stateful_pointer<session_state>;

/// Records whether `line` has a connection and tells the supervisor when
/// the session turns idle or busy.
void set_attached(pointer self, const caf::actor_addr& line, bool attached) {
  auto& st = self->state;
  bool was_idle = st.attached.empty();
  if (attached)
    st.attached.insert(line);
  else
    st.attached.erase(line);
  bool idle = st.attached.empty();
  if (idle == was_idle || st.closed)
    return;
  self->send(st.supervisor, idle_atom::value, session_actor{self}, idle);
  for (auto& kv : st.rooms)
    self->send(kv.second, idle_atom::value, st.identity.id, idle);
}

void save_identity(pointer self) {
  auto& st = self->state;
  st.ctx->store.save(self, store::put_session{st.identity.id, st.identity.key,
                                              st.identity.info, st.next_line});
}

void add_line(pointer self, uint64_t number, line_actor line) {
  self->monitor(line);
  self->state.lines.emplace(number, std::move(line));
}

/// Brings back the lines of a restored session, all without a connection.
void restore(pointer self, const session_origin& origin) {
  auto& st = self->state;
  st.next_line = origin.record->next_line;
  if (origin.imported)
    save_identity(self);
  auto ttl_ms = st.ctx->limits.session_ttl_s * 1000;
  auto now_ms = store::unix_ms();
  for (const auto& r : origin.record->lines) {
    auto away =
        r.detached_since_ms != 0 ? r.detached_since_ms : origin.lost_at_ms;
    if (away + ttl_ms <= now_ms) {
      st.ctx->store.save(self, store::drop_line{st.identity.id, r.number});
      continue;
    }
    line_identity lid{session_actor{self}, st.identity.id, st.identity.key,
                      st.identity.info, r.number};
    line_origin lo{std::make_shared<const records::line_record>(r),
                   origin.clean, origin.lost_at_ms, origin.imported};
    add_line(self, r.number, spawn_line(self->system(), st.ctx, lid, lo));
  }
}

/// Room traffic for every line, or held while the session moves.
void push(pointer self, const encoded_frame& bytes) {
  auto& st = self->state;
  if (st.moving)
    return st.held.push_back(bytes);
  if (st.arriving)
    return st.early.push_back(bytes);
  for (auto& kv : st.lines)
    self->send(kv.second, push_atom::value, bytes);
}

/// The session ends for good: the store forgets it.
void forget(pointer self) {
  auto& st = self->state;
  st.ctx->store.save(self, store::drop_session{st.identity.id});
}

caf::result<attach_result> delegate_attach(pointer self, line_actor line,
                                           attach_request& req, bool resume,
                                           uint64_t generation,
                                           uint64_t last_seq) {
  // A new line is counted at once, so that concurrent attaches respect
  // the limit. A resume is counted once the line took it: a refused one
  // (a stale token, say) must not touch the session's idle time.
  if (!resume)
    set_attached(self, line.address(), true);
  return self->delegate(line, attach_atom::value, std::move(req), resume,
                        generation, last_seq);
}

/// The move failed: the lines serve on, and what waited goes on.
void stay(pointer self, const std::string& why) {
  auto& st = self->state;
  TETHER_LOG(warning, "session",
             st.identity.id << " stays: it could not move (" << why << ")");
  st.moving = false;
  for (auto& kv : st.lines)
    self->send(kv.second, thaw_atom::value);
  for (auto& bytes : std::exchange(st.held, {}))
    push(self, bytes);
  for (auto& p : std::exchange(st.held_attaches, {}))
    p.deliver(attach_refused("internal", "the session was moving: try again"));
}

/// Answered once the store committed what the session and each of its
/// lines saved so far (each line saves its own part).
caf::result<bool> saved(pointer self) {
  auto& st = self->state;
  auto promise = self->make_response_promise<bool>();
  auto left = std::make_shared<size_t>(st.lines.size() + 1);
  auto one_done = [promise, left]() mutable {
    if (--*left == 0)
      promise.deliver(true);
  };
  for (auto& kv : st.lines)
    self->request(kv.second, caf::infinite, saved_atom::value)
        .then([one_done](bool) mutable { one_done(); },
              [one_done](const caf::error&) mutable { one_done(); });
  st.ctx->store.after_saved(self, one_done);
  return promise;
}

/// Room `id` sends to the new actor now; once all have, the move ends.
void switched(pointer self, const std::string& id) {
  auto& st = self->state;
  if (id.empty()) { // The wait ran out.
    if (!st.switching.empty())
      TETHER_LOG(warning, "session",
                 st.identity.id << ": " << st.switching.size()
                                << " rooms did not confirm the move");
    st.switching.clear();
  } else if (st.switching.erase(id) == 0 || !st.switching.empty()) {
    return;
  }
  if (!st.on_switched)
    return;
  auto finish = st.on_switched;
  finish();
}

/// The new node has the session: the rooms learn where it is now, what
/// waited follows it, the clients are sent there, and this actor ends.
void moved(pointer self, session_actor there, node_services_ref to,
           std::string url, caf::typed_response_promise<bool> done) {
  auto& st = self->state;
  auto finish = [self, there, url, done]() mutable {
    auto& st = self->state;
    st.on_switched = nullptr;
    // Every room switched, so all they sent here is in `held` now: it goes
    // first, then what reached the new node directly.
    self->send(there, handover_atom::value, std::exchange(st.held, {}));
    // Its clients are sent away now and come back at the new node: the
    // rooms say so as for any dropped connection (room.away, then room.back
    // once one resumes there), before the clients can reconnect.
    if (!st.attached.empty())
      for (auto& kv : st.rooms)
        self->send(kv.second, idle_atom::value, st.identity.id, true);
    std::vector<line_actor> lines;
    for (auto& kv : st.lines) {
      self->send(kv.second, moved_atom::value, url,
                 caf::actor_cast<caf::actor>(there));
      lines.push_back(kv.second);
    }
    self->send(st.supervisor, moved_atom::value, std::move(lines));
    for (auto& p : std::exchange(st.held_attaches, {}))
      p.deliver(attach_elsewhere(url));
    st.closed = true;
    forget(self);
    TETHER_LOG(debug, "session", st.identity.id << " moved to " << url);
    done.deliver(true);
    self->quit();
  };
  if (st.rooms.empty())
    return finish();
  st.on_switched = finish;
  // A room whose node went meanwhile never says so: wait no longer.
  self->delayed_send(self, std::chrono::seconds{2}, switched_atom::value,
                     std::string{});
  for (auto& kv : st.rooms) {
    st.switching.insert(kv.first);
    auto id = kv.first;
    // A room that is gone (or refuses) sends nothing more: switched.
    self->request(kv.second, std::chrono::seconds{5},
                  member_moved{st.identity.id, there, to->relay})
        .then(
            [self, id](bool member) {
              if (!member)
                switched(self, id);
            },
            [self, id](const caf::error&) { switched(self, id); });
  }
}

/// Every line is frozen: the record goes to the new node.
void ship(pointer self, node_services_ref to, std::string url,
          std::vector<records::line_record> lines,
          caf::typed_response_promise<bool> done) {
  auto& st = self->state;
  records::session_record r;
  r.id = st.identity.id;
  r.key = st.identity.key;
  r.info = st.identity.info;
  r.next_line = st.next_line;
  r.idle_since_ms = store::unix_ms();
  for (const auto& kv : st.rooms)
    r.rooms.push_back(kv.first);
  r.lines = std::move(lines);
  self->request(to->sessions, std::chrono::seconds{10}, import_atom::value,
                std::move(r))
      .then(
          [self, to, url, done](const session_actor& there) mutable {
            moved(self, there, to, url, done);
          },
          [self, done](const caf::error& err) mutable {
            stay(self, self->system().render(err));
            done.deliver(false);
          });
}

/// Freezes the lines and ships the session to `to`; `done` says whether
/// it moved.
void start_move(pointer self, node_services_ref to, const std::string& url,
                caf::typed_response_promise<bool> done) {
  auto& st = self->state;
  if (st.closed || st.moving) {
    done.deliver(false);
    return;
  }
  st.moving = true;
  auto lines = std::make_shared<std::vector<records::line_record>>();
  auto left = std::make_shared<size_t>(st.lines.size());
  if (st.lines.empty())
    return ship(self, to, url, {}, done);
  // Each line lets its open requests finish first (within the grace).
  auto wait = std::chrono::milliseconds{st.ctx->limits.shutdown_grace_ms} +
              std::chrono::seconds{5};
  auto failed = std::make_shared<bool>(false);
  for (auto& kv : st.lines)
    self->request(kv.second, wait, freeze_atom::value)
        .then(
            [self, to, url, done, lines, left,
             failed](records::line_record& r) mutable {
              lines->push_back(std::move(r));
              if (--*left == 0 && !*failed)
                ship(self, to, url, std::move(*lines), done);
            },
            [self, done, left, failed](const caf::error& err) mutable {
              if (!*failed) {
                *failed = true;
                stay(self, self->system().render(err));
                done.deliver(false);
              }
              --*left;
            });
}

caf::result<bool> migrate(pointer self, node_services_ref to,
                          const std::string& url) {
  auto& st = self->state;
  auto done = self->make_response_promise<bool>();
  // Just arrived: it moves on once what reached the old node is here.
  if (st.arriving)
    st.next_moves.push_back(
        [self, to, url, done] { start_move(self, to, url, done); });
  else
    start_move(self, std::move(to), url, done);
  return done;
}

} // namespace

session_actor spawn_session(caf::actor_system& sys,
                            std::shared_ptr<const session_context> ctx,
                            session_supervisor_actor supervisor,
                            session_identity identity, session_origin origin) {
  return sys.spawn([ctx, supervisor, identity,
                    origin](pointer self) -> session_actor::behavior_type {
    auto& st = self->state;
    st.identity = identity;
    st.ctx = ctx;
    st.supervisor = supervisor;
    if (origin.record)
      restore(self, origin);
    else
      save_identity(self);
    if (origin.imported) {
      st.arriving = true;
      // The old node may be lost before its handover: wait no longer.
      self->delayed_send(self, std::chrono::seconds{10}, handover_atom::value,
                         std::vector<encoded_frame>{});
    }
    // The supervisor stops its sessions when it stops; lines watch
    // their session and end with it.
    self->set_down_handler([self](caf::down_msg& msg) {
      auto& st = self->state;
      for (auto i = st.lines.begin(); i != st.lines.end(); ++i) {
        if (i->second.address() == msg.source) {
          st.lines.erase(i);
          break;
        }
      }
      set_attached(self, msg.source, false);
    });
    return {
        [self](attach_atom, attach_request& req) -> caf::result<attach_result> {
          auto& st = self->state;
          if (st.moving) { // Answered with the redirect once it moved.
            st.held_attaches.push_back(
                self->make_response_promise<attach_result>());
            return st.held_attaches.back();
          }
          if (st.closed)
            return attach_refused("session_not_found",
                                  "no session for this key");
          if (st.attached.size() >= st.ctx->limits.max_connections)
            return attach_refused("max_connections",
                                  "the session has " +
                                      std::to_string(st.attached.size()) +
                                      " connections, the most allowed");
          line_identity sid{session_actor{self}, st.identity.id,
                            st.identity.key, st.identity.info, st.next_line++};
          save_identity(self); // Its next line number.
          auto line = spawn_line(self->system(), st.ctx, sid);
          add_line(self, sid.number, line);
          return delegate_attach(self, line, req, false, 0, 0);
        },
        [self](resume_atom, attach_request& req, uint64_t number,
               uint64_t generation,
               uint64_t last_seq) -> caf::result<attach_result> {
          auto& st = self->state;
          if (st.moving) {
            st.held_attaches.push_back(
                self->make_response_promise<attach_result>());
            return st.held_attaches.back();
          }
          auto i = st.lines.find(number);
          if (st.closed || i == st.lines.end())
            return attach_refused("stream_not_found",
                                  "no stream for this token");
          if (st.attached.count(i->second.address()) == 0 &&
              st.attached.size() >= st.ctx->limits.max_connections)
            return attach_refused(
                "max_connections",
                "the session has the most connections allowed");
          return delegate_attach(self, i->second, req, true, generation,
                                 last_seq);
        },
        [self](close_atom) {
          auto& st = self->state;
          if (st.closed)
            return;
          st.closed = true;
          TETHER_LOG(debug, "session", st.identity.id << " closed");
          forget(self);
          for (auto& kv : st.lines)
            self->send(kv.second, closed_atom::value);
          self->quit();
        },
        [self](attached_atom, line_actor line) {
          set_attached(self, line.address(), true);
        },
        [self](detached_atom, line_actor line) {
          set_attached(self, line.address(), false);
        },
        [self](push_atom, const encoded_frame& bytes) { push(self, bytes); },
        [self](migrate_atom, node_services_ref to, const std::string& url) {
          return migrate(self, std::move(to), url);
        },
        [self](switched_atom, const std::string& room) {
          switched(self, room);
        },
        [self](saved_atom) { return saved(self); },
        [self](line_atom, uint64_t number) {
          auto& lines = self->state.lines;
          auto i = lines.find(number);
          return i == lines.end() ? line_actor{} : i->second;
        },
        [self](handover_atom, std::vector<encoded_frame>& first) {
          auto& st = self->state;
          if (!st.arriving)
            return;
          st.arriving = false;
          for (auto& bytes : first)
            push(self, bytes);
          for (auto& bytes : std::exchange(st.early, {}))
            push(self, bytes);
          for (auto& move : std::exchange(st.next_moves, {}))
            move();
        },
        [self](joined_atom, const std::string& id, room_actor room) {
          self->state.rooms[id] = std::move(room);
        },
        [self](left_atom, const std::string& id) {
          self->state.rooms.erase(id);
        },
        [self](info_atom) {
          auto& st = self->state;
          std::vector<codec::value> rooms;
          for (const auto& kv : st.rooms)
            rooms.push_back(codec::value::of(kv.first));
          return codec::value::map(
              {{"session", codec::value::of(st.identity.id)},
               {"node", codec::value::of(st.ctx->node_name)},
               {"streams",
                codec::value::of(static_cast<uint64_t>(st.attached.size()))},
               {"rooms", codec::value::array(rooms)},
               {"info", st.identity.info}});
        },
        [self](signal_atom, const codec::signal& x) {
          for (const auto& kv : self->state.lines)
            self->send(kv.second, x);
        },
        [self](expire_atom) {
          auto& st = self->state;
          if (!st.attached.empty())
            return; // A connection came back since the sweep looked.
          TETHER_LOG(debug, "session", st.identity.id << " expired");
          forget(self);
          for (auto& kv : st.lines)
            self->send_exit(kv.second, caf::exit_reason::user_shutdown);
          self->quit();
        },
    };
  });
}

} // namespace tether
