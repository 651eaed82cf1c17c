#include "tether/actors/session/supervisor.hpp"

#include <ctime>

#include <caf/actor_system.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "tether/actors/cluster/answer_once_saved.hpp"
#include "tether/actors/cluster/first_answer.hpp"
#include "tether/actors/cluster/listing.hpp"
#include "tether/actors/cluster/peers.hpp"
#include "tether/actors/cluster/spread.hpp"
#include "tether/actors/log.hpp"
#include "tether/actors/session/session.hpp"
#include "tether/actors/stop_children.hpp"
#include "tether/codec/claims.hpp"
#include "tether/security/crypto.hpp"
#include "tether/store/batch.hpp"

namespace tether {

namespace {

using pointer =
    session_supervisor_actor::stateful_pointer<session_supervisor_state>;

/// The sweep runs a few times per TTL, so expiry is late by a quarter TTL at
/// most, and at least every second.
std::chrono::milliseconds sweep_interval(const config::limits& lim) {
  auto quarter = std::chrono::milliseconds{lim.session_ttl_s * 250};
  return std::clamp(quarter, std::chrono::milliseconds{50},
                    std::chrono::milliseconds{1000});
}

const session_actor*
find(pointer self,
     const std::unordered_map<std::string, caf::actor_addr>& index,
     const std::string& name) {
  auto i = index.find(name);
  if (i == index.end())
    return nullptr;
  auto j = self->state.sessions.find(i->second);
  return j == self->state.sessions.end() ? nullptr : &j->second.actor;
}

void add_session(pointer self, const std::string& id, const std::string& key,
                 session_actor session) {
  auto& st = self->state;
  self->monitor(session);
  st.by_id.emplace(id, session.address());
  st.by_key.emplace(key, session.address());
  st.sessions.emplace(session.address(),
                      session_supervisor_state::entry{id, key, session});
}

/// Spawns the session of record `r`, idle since it last was (or since its
/// node was lost): from the store, or migrated here.
session_actor bring_back(pointer self, const records::session_record& r,
                         session_origin origin) {
  auto& st = self->state;
  auto now_ms = store::unix_ms();
  auto idle_ms = r.idle_since_ms != 0 ? r.idle_since_ms : origin.lost_at_ms;
  session_identity identity{r.id, r.key, codec::map_value{r.info}};
  origin.record = std::make_shared<const records::session_record>(r);
  auto session =
      spawn_session(self->system(), st.ctx, session_supervisor_actor{self},
                    identity, std::move(origin));
  add_session(self, r.id, r.key, session);
  if (r.idle_since_ms == 0 || origin.imported)
    st.ctx->store.save(self, store::session_idle{r.id, idle_ms});
  auto away =
      std::chrono::milliseconds{now_ms > idle_ms ? now_ms - idle_ms : 0};
  st.idle_since[session.address()] =
      session_supervisor_state::clock::now() - away;
  return session;
}

/// Brings back the sessions of the store, idle since they last were (or
/// since their node was lost).
void restore(pointer self, const session_restore& restore) {
  auto& st = self->state;
  auto now_ms = store::unix_ms();
  auto ttl_ms = st.ctx->limits.session_ttl_s * 1000;
  size_t expired = 0;
  for (const auto& r : restore.sessions) {
    auto idle_ms = r.idle_since_ms != 0 ? r.idle_since_ms : restore.lost_at_ms;
    if (idle_ms + ttl_ms <= now_ms) {
      // Time ran on while the node was down.
      st.ctx->store.save(self, store::drop_session{r.id});
      ++expired;
      continue;
    }
    bring_back(
        self, r,
        session_origin{nullptr, restore.clean, restore.lost_at_ms, false});
  }
  if (!restore.sessions.empty())
    TETHER_LOG(info, "sessions",
               "restored " << restore.sessions.size() - expired << " sessions ("
                           << expired << " had expired)"
                           << (restore.clean ? ""
                                             : " after a crash: streams that "
                                               "were busy get resume_gap"));
}

/// The other node, up, where the session of `id` (an id or a key) was
/// made; null when that is this node or a node that is not serving.
const cluster_peers::peer* home_peer(pointer self, const std::string& id) {
  auto& peers = self->state.peers;
  return peers ? peers->serving(home_of(id)) : nullptr;
}

/// The session supervisors of the other nodes serving.
std::vector<session_supervisor_actor> other_supervisors(pointer self) {
  return others_serving(self->state.peers,
                        [](const node_services& x) { return x.sessions; });
}

/// Asks every other node serving whether it has the session of `name` (a
/// key, or an id), and calls `found` with the client URL of the first that
/// has, or with an empty one. No directory to keep: a session that moved
/// is found where it is now.
void locate(pointer self, const std::string& name, bool by_key,
            std::function<void(const std::string&)> found) {
  auto asked = other_supervisors(self);
  if (asked.empty())
    return found({});
  auto left = std::make_shared<size_t>(asked.size());
  auto done = std::make_shared<bool>(false);
  auto answer = [found, left, done](const std::string& url) {
    if (*done)
      return;
    if (!url.empty() || --*left == 0) {
      *done = true;
      found(url);
    }
  };
  for (auto& sessions : asked)
    self->request(sessions, std::chrono::seconds{3}, locate_atom::value, name,
                  by_key)
        .then([answer](const std::string& url) { answer(url); },
              [answer](const caf::error&) { answer({}); });
}

/// A redirect to the node that has the session of `name`, else `refused`.
caf::result<attach_result> ask_cluster(pointer self, const std::string& name,
                                       bool by_key, attach_result refused) {
  auto promise = std::make_shared<caf::typed_response_promise<attach_result>>(
      self->make_response_promise<attach_result>());
  locate(self, name, by_key, [promise, refused](const std::string& url) {
    promise->deliver(url.empty() ? refused : attach_elsewhere(url));
  });
  return *promise;
}

/// Hands an attach or resume to `session`. One that ended meanwhile (it
/// moved) is looked for in the cluster, so the client is sent there.
template <class... Ts>
caf::result<attach_result>
ask_session(pointer self, const session_actor& session, const std::string& name,
            bool by_key, attach_result refused, Ts&&... xs) {
  auto promise = std::make_shared<caf::typed_response_promise<attach_result>>(
      self->make_response_promise<attach_result>());
  self->request(session, caf::infinite, std::forward<Ts>(xs)...)
      .then([promise](attach_result& r) { promise->deliver(std::move(r)); },
            [self, promise, name, by_key, refused](const caf::error& err) {
              if (err != caf::sec::request_receiver_down) {
                promise->deliver(err);
                return;
              }
              locate(self, name, by_key,
                     [promise, refused](const std::string& url) {
                       promise->deliver(url.empty() ? refused
                                                    : attach_elsewhere(url));
                     });
            });
  return *promise;
}

/// A migration of a session this node does not have: asked of every
/// other node; the one that has it moves it.
caf::result<std::string> migrate_elsewhere(pointer self, const std::string& id,
                                           const std::string& node) {
  return first_answer<std::string>(
      self, other_supervisors(self), std::chrono::seconds{50},
      "session_not_found", migrate_atom::value, id, node, true);
}

/// Moves `session` to the node `to`, whose URL it sends its clients to.
void move_session(pointer self, const session_actor& session,
                  const cluster_peers::peer& to, move_done done) {
  // Its lines first let their open requests finish.
  auto wait =
      std::chrono::milliseconds{self->state.ctx->limits.shutdown_grace_ms} +
      std::chrono::seconds{20};
  ask_to_move(self, session, wait, to, to.entry.url,
              counted(std::move(done), self->state.ctx->counts,
                      &traffic::sessions_moved,
                      &traffic::session_moves_failed));
}

/// A page of sessions, this node's and (unless `asked`) the others'.
caf::result<std::vector<codec::value>> list_sessions(pointer self,
                                                     const std::string& after,
                                                     uint64_t limit,
                                                     bool asked) {
  auto& st = self->state;
  std::vector<session_actor> here;
  for (const auto& id : page_of(keys_of(st.by_id), after, limit))
    if (auto session = find(self, st.by_id, id))
      here.push_back(*session);
  auto promise = self->make_response_promise<std::vector<codec::value>>();
  auto others = other_supervisors(self);
  gather<codec::value>(
      self, here,
      [self, others, asked, after, limit,
       promise](std::vector<codec::value> mine) mutable {
        cluster_page(self, std::move(mine), others, asked, "session", after,
                     limit, [promise](std::vector<codec::value> x) mutable {
                       promise.deliver(std::move(x));
                     });
      },
      info_atom::value);
  return promise;
}

/// The drain: every session goes to one of the other nodes up.
caf::result<uint64_t> drain_into_cluster(pointer self) {
  auto& st = self->state;
  return hand_over_all(
      self, "sessions", keys_of(st.by_id), st.peers,
      [self](const std::string& id, const cluster_peers::peer& to,
             move_done done) {
        if (auto session = find(self, self->state.by_id, id))
          return move_session(self, *session, to, std::move(done));
        done(not_found_error("session_not_found")); // Ended meanwhile.
      });
}

} // namespace

session_supervisor_actor
spawn_session_supervisor(caf::actor_system& sys,
                         std::shared_ptr<const session_context> ctx,
                         std::shared_ptr<const session_restore> restored) {
  return sys.spawn([ctx, restored](pointer self)
                       -> session_supervisor_actor::behavior_type {
    self->state.ctx = ctx;
    if (restored)
      restore(self, *restored);
    stop_children_on_exit(self, [self](auto stop) {
      for (auto& kv : self->state.sessions)
        stop(kv.second.actor);
      for (auto& kv : self->state.forwarding)
        stop(kv.second);
    });
    self->set_down_handler([self](caf::down_msg& msg) {
      auto& st = self->state;
      if (st.forwarding.erase(msg.source) != 0)
        return;
      auto i = st.sessions.find(msg.source);
      if (i == st.sessions.end())
        return;
      if (msg.reason && msg.reason != caf::exit_reason::user_shutdown)
        TETHER_LOG(error, "sessions",
                   "session " << i->second.id
                              << " failed: " << caf::to_string(msg.reason));
      st.by_id.erase(i->second.id);
      st.by_key.erase(i->second.key);
      st.idle_since.erase(msg.source);
      st.sessions.erase(i);
    });
    self->delayed_send(self, sweep_interval(ctx->limits), tick_atom::value);
    return {
        [self](open_atom, attach_request& req,
               codec::map_value& info) -> caf::result<attach_result> {
          auto& st = self->state;
          session_identity identity;
          identity.id = st.ctx->node_name + "." +
                        security::base64url_encode(security::random_bytes(12));
          // Keys name their node too: any node of a cluster finds it.
          identity.key = st.ctx->node_name + "." +
                         security::base64url_encode(security::random_bytes(32));
          identity.info = codec::merge_claims(info, req.claims);
          auto session = spawn_session(
              self->system(), st.ctx, session_supervisor_actor{self}, identity);
          add_session(self, identity.id, identity.key, session);
          TETHER_LOG(debug, "sessions",
                     "opened " << identity.id << " for " << req.conn_id);
          return self->delegate(session, attach_atom::value, std::move(req));
        },
        [self](attach_atom, attach_request& req,
               const std::string& key) -> caf::result<attach_result> {
          auto session = find(self, self->state.by_key, key);
          auto refused =
              attach_refused("session_not_found", "no session for this key");
          if (!session)
            return ask_cluster(self, key, true, std::move(refused));
          return ask_session(self, *session, key, true, std::move(refused),
                             attach_atom::value, std::move(req));
        },
        [self](resume_atom, attach_request& req, const std::string& token,
               uint64_t last_seq) -> caf::result<attach_result> {
          auto& st = self->state;
          auto claims = st.ctx->signer->verify(
              token, static_cast<uint64_t>(std::time(nullptr)));
          // Any node of the cluster signs with the same secret: a token
          // that checks names its session truly, wherever it was signed.
          const session_actor* session = nullptr;
          if (claims)
            session = find(self, st.by_id, claims->session_id);
          if (!session) {
            auto refused =
                attach_refused("stream_not_found", "no stream for this token");
            if (!claims)
              return refused;
            return ask_cluster(self, claims->session_id, false,
                               std::move(refused));
          }
          return ask_session(
              self, *session, claims->session_id, false,
              attach_refused("stream_not_found", "no stream for this token"),
              resume_atom::value, std::move(req), claims->stream,
              claims->generation, last_seq);
        },
        [self](idle_atom, session_actor session, bool idle) {
          auto& st = self->state;
          auto i = st.sessions.find(session.address());
          if (i == st.sessions.end())
            return;
          st.ctx->store.save(
              self,
              store::session_idle{i->second.id, idle ? store::unix_ms() : 0});
          if (idle)
            st.idle_since[session.address()] =
                session_supervisor_state::clock::now();
          else
            st.idle_since.erase(session.address());
        },
        [self](get_atom, const std::string& id) -> caf::result<session_actor> {
          if (auto session = find(self, self->state.by_id, id))
            return *session;
          if (auto home = home_peer(self, id))
            return self->delegate(home->services.sessions, get_atom::value, id);
          return session_actor{};
        },
        [self](get_atom, const std::vector<std::string>& ids) {
          std::vector<session_actor> found;
          found.reserve(ids.size());
          for (const auto& id : ids) {
            auto session = find(self, self->state.by_id, id);
            found.push_back(session ? *session : session_actor{});
          }
          return found;
        },
        [self](stats_atom) {
          return static_cast<uint64_t>(self->state.sessions.size());
        },
        [self](tick_atom) {
          auto& st = self->state;
          auto ttl = std::chrono::seconds{st.ctx->limits.session_ttl_s};
          auto now = session_supervisor_state::clock::now();
          for (auto i = st.idle_since.begin(); i != st.idle_since.end();) {
            if (now - i->second >= ttl) {
              self->send(st.sessions[i->first].actor, expire_atom::value);
              i = st.idle_since.erase(i);
            } else {
              ++i;
            }
          }
          self->delayed_send(self, sweep_interval(st.ctx->limits),
                             tick_atom::value);
        },
        [self](peers_atom, peer_table& peers) {
          self->state.peers = std::move(peers);
        },
        [self](locate_atom, const std::string& name, bool by_key) {
          auto& st = self->state;
          auto found = find(self, by_key ? st.by_key : st.by_id, name);
          return found ? st.ctx->url : std::string{};
        },
        [self](migrate_atom, const std::string& id, const std::string& node,
               bool asked) -> caf::result<std::string> {
          auto& st = self->state;
          auto session = find(self, st.by_id, id);
          if (!session && !asked)
            return migrate_elsewhere(self, id, node);
          if (!session)
            return not_found_error("session_not_found");
          if (node == st.ctx->node_name)
            return node;
          auto to = st.peers ? st.peers->serving(node) : nullptr;
          if (!to || to->entry.state != "up")
            return caf::make_error(caf::sec::invalid_argument, "invalid");
          auto promise = self->make_response_promise<std::string>();
          move_session(self, *session, *to, answer_with(promise, node));
          return promise;
        },
        [self](moved_atom, const std::vector<line_actor>& lines) {
          for (const auto& line : lines) {
            self->monitor(line);
            self->state.forwarding.emplace(line.address(), line);
          }
        },
        [self](drain_atom) -> caf::result<uint64_t> {
          return drain_into_cluster(self);
        },
        [self](list_atom, const std::string& after, uint64_t limit,
               bool asked) { return list_sessions(self, after, limit, asked); },
        [self](info_atom, const std::string& id,
               bool asked) -> caf::result<codec::value> {
          if (auto session = find(self, self->state.by_id, id))
            return self->delegate(*session, info_atom::value);
          return ask_others<codec::value>(self, asked, other_supervisors(self),
                                          "session_not_found", info_atom::value,
                                          id);
        },
        [self](close_atom, const std::string& id,
               bool asked) -> caf::result<bool> {
          if (auto session = find(self, self->state.by_id, id)) {
            self->send(*session, close_atom::value);
            return true;
          }
          return ask_others<bool>(self, asked, other_supervisors(self),
                                  "session_not_found", close_atom::value, id);
        },
        [self](signal_atom, const std::string& id, const codec::signal& x,
               bool asked) -> caf::result<bool> {
          if (auto session = find(self, self->state.by_id, id)) {
            self->send(*session, signal_atom::value, x);
            return true;
          }
          return ask_others<bool>(self, asked, other_supervisors(self),
                                  "session_not_found", signal_atom::value, id,
                                  x);
        },
        [self](import_atom,
               const records::session_record& r) -> caf::result<session_actor> {
          if (find(self, self->state.by_id, r.id))
            return caf::make_error(caf::sec::invalid_argument,
                                   "the session is here already");
          TETHER_LOG(debug, "sessions", "imported " << r.id);
          auto session =
              bring_back(self, r, session_origin{nullptr, true, 0, true});
          // The old node forgets it only once this node's store has it.
          return answer_once_saved(self, session);
        },
    };
  });
}

} // namespace tether
