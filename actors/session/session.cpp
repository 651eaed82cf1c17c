#include "tether/actors/session/session.hpp"

#include <caf/actor_system.hpp>
#include <caf/typed_event_based_actor.hpp>

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
                   origin.clean, origin.lost_at_ms};
    add_line(self, r.number, spawn_line(self->system(), st.ctx, lid, lo));
  }
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
        [self](push_atom, const encoded_frame& bytes) {
          for (auto& kv : self->state.lines)
            self->send(kv.second, push_atom::value, bytes);
        },
        [self](joined_atom, const std::string& id, room_actor room) {
          self->state.rooms[id] = std::move(room);
        },
        [self](left_atom, const std::string& id) {
          self->state.rooms.erase(id);
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
