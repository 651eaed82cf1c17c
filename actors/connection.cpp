#include "tether/actors/connection.hpp"

#include <algorithm>
#include <ctime>

#include <caf/actor_system.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "tether/actors/log.hpp"
#include "tether/actors/outlet/outlet_behavior.hpp"
#include "tether/actors/spawn_handoff.hpp"
#include "tether/codec/decode.hpp"
#include "tether/codec/encode.hpp"

namespace tether {

namespace {

/// How long a connection waits for its authenticator.
constexpr auto answer_timeout = std::chrono::seconds{10};

using std::chrono::milliseconds;

codec::value limits_map(const config::limits& x) {
  using codec::value;
  return value::map({
      {"max_message", value::of(x.max_message)},
      {"max_fragments", value::of(x.max_fragments)},
      {"max_batch_frames", value::of(x.max_batch_frames)},
      {"max_inflight", value::of(x.max_inflight)},
      {"max_streams", value::of(x.max_streams)},
      {"session_ttl_s", value::of(x.session_ttl_s)},
      {"ack_every", value::of(x.ack_every)},
      {"max_connections", value::of(x.max_connections)},
      {"max_outbox_bytes", value::of(x.max_outbox_bytes)},
      {"max_outbox_frames", value::of(x.max_outbox_frames)},
      {"lossy_after", value::of(x.lossy_after)},
  });
}

template <class T>
constexpr bool is_any_of_v(std::initializer_list<codec::kind> kinds) {
  for (auto k : kinds)
    if (k == T::kind_v)
      return true;
  return false;
}

} // namespace

connection_state::~connection_state() {
  // Also reached when the actor fails: never leave the socket open.
  if (socket_ && !closing_)
    socket_->close(nullptr);
  if (socket_)
    ctx_->bridges->remove(socket_->conn_id());
}

void connection_state::init(pointer self, std::shared_ptr<bridge> socket,
                            std::shared_ptr<const connection_context> ctx) {
  self_ = self;
  socket_ = std::move(socket);
  ctx_ = std::move(ctx);
  opened_at_ = last_received_ = last_sent_ = clock::now();
  out_.init(self, std::shared_ptr<const config::limits>(ctx_, &ctx_->limits));
  out_.attach(socket_, true);
  hub_.init([this] {
    auto hub = std::make_unique<request_hub>(
        self_, socket_->conn_id(), ctx_->behaviors, ctx_->limits,
        [this](codec::frame&& f) {
          std::visit([this](const auto& x) { emit(x); }, f);
        });
    hub->count_into(ctx_->counts);
    hub->on_idle = [this] {
      if (drain_.active() && !line_)
        close_drained();
    };
    return hub;
  });
  TETHER_LOG(debug, "connection",
             socket_->conn_id() << " open from " << socket_->remote());
  schedule_tick();
}

// -- reading
// --------------------------------------------------------------------

void connection_state::on_inbound(inbound_message& msg) {
  last_received_ = clock::now();
  socket_->message_handled();
  if (closing_)
    return;
  if (!msg.binary)
    return close_with(codec::close_code::invalid_message,
                      "text message: frames travel in binary messages");
  auto decoded = codec::decode_batch(msg.bytes.data(), msg.bytes.size(),
                                     ctx_->limits.max_batch_frames);
  if (auto err = std::get_if<codec::decode_error>(&decoded)) {
    // Too many frames is a size over a limit, like too many bytes: the
    // client splits the batch, nothing in it is malformed.
    if (err->too_many_frames)
      return close_with(codec::close_code::message_too_large,
                        "message too large: " + err->reason +
                            " (max_batch_frames)");
    return close_with(codec::close_code::invalid_message,
                      "invalid message: " + err->reason);
  }
  auto& frames = std::get<std::vector<codec::frame>>(decoded);
  if (ctx_->counts)
    ctx_->counts->frames_in.add(frames.size());
  process(frames);
}

void connection_state::process(std::vector<codec::frame>& frames) {
  for (size_t i = 0; i < frames.size() && !closing_;) {
    if (!handle(frames[i++])) {
      backlog_.assign(std::make_move_iterator(frames.begin() + i),
                      std::make_move_iterator(frames.end()));
      break;
    }
  }
  forward_to_line();
}

void connection_state::resume_backlog() {
  auto frames = std::move(backlog_);
  backlog_.clear();
  process(frames);
  end_of_handler();
}

void connection_state::forward_to_line() {
  if (to_line_.empty())
    return;
  if (line_ && !closing_)
    self_->send(line_, client_frames{std::move(to_line_)});
  to_line_.clear();
}

bool connection_state::handle(codec::frame& f) {
  using namespace codec;
  if (!hello_seen_ && !std::holds_alternative<hello>(f)) {
    close_with(close_code::invalid_message, "the first frame must be HELLO");
    return true;
  }
  return std::visit(
      [this](auto& x) -> bool {
        using type = std::decay_t<decltype(x)>;
        constexpr auto k = type::kind_v;
        if constexpr (k == kind::hello) {
          return handle_hello(x);
        } else if constexpr (k == kind::heartbeat) {
          return true; // Its arrival is what counts.
        } else if constexpr (k == kind::close) {
          TETHER_LOG(debug, "connection",
                     socket_->conn_id()
                         << " closed by client, code " << x.code);
          forward_to_line();
          closing_ = true;
          let_go();
          out_.refuse_credit();
          socket_->close(nullptr);
          return true;
        } else if constexpr (is_any_of_v<type>(
                                 {kind::request, kind::stream,
                                  kind::stream_part, kind::cancel, kind::signal,
                                  kind::reply, kind::error, kind::retry,
                                  kind::result_part, kind::ack})) {
          if (line_) {
            to_line_.emplace_back(std::move(x));
            return true;
          }
          if constexpr (k == kind::request || k == kind::stream) {
            if (drain_.refuses(hub_, x.id))
              emit(drain::refusal(x.id));
            else
              hub_.get().request(x.id, std::move(x.op), std::move(x.payload),
                                 k == kind::stream);
          } else {
            hub_.get().take(x);
          }
          return true; // ACK without a session: nothing to acknowledge.
        } else if constexpr (k == kind::session_open ||
                             k == kind::session_attach ||
                             k == kind::session_resume) {
          return handle_session(x);
        } else if constexpr (k == kind::session_close) {
          if (!line_) {
            emit(error{x.id, "no_session", "this connection has no session"});
            return true;
          }
          forward_to_line();
          // Later frames wait until the line has closed: they belong to no
          // session then.
          auto done = [this] {
            line_ = nullptr;
            resume_backlog();
          };
          self_->request(line_, caf::infinite, end_atom::value, x.id)
              .await([done](bool) { done(); }, [done](caf::error&) { done(); });
          return false;
        } else {
          close_with(close_code::invalid_message,
                     std::string{to_string(k)} + " is sent by nodes only");
          return true;
        }
      },
      f);
}

template <class Frame> bool connection_state::handle_session(Frame& x) {
  using namespace codec;
  constexpr auto k = Frame::kind_v;
  if (line_) {
    emit(error{x.id, "exists", "this connection has a session already"});
    return true;
  }
  if (drain_.active()) {
    // SESSION_* is answered by SESSION or ERROR, never RETRY.
    emit(error{x.id, "shutdown", drain::closing_text});
    return true;
  }
  // SESSION comes from the line: what this connection sent before (WELCOME,
  // say) must reach the client first.
  out_.flush();
  attach_request req{connection_actor{self_}, socket_->conn_id(), x.id,
                     claims_};
  auto id = x.id;
  auto on_result = [this, id](attach_result& r) {
    if constexpr (k == kind::session_resume)
      count_resume(r);
    attached(id, r);
    resume_backlog();
  };
  auto on_error = [this, id](caf::error& err) {
    TETHER_LOG(error, "connection",
               socket_->conn_id()
                   << " session request failed: " << caf::to_string(err));
    emit(error{id, "internal", "the session service did not answer"});
    resume_backlog();
  };
  // No timeout: one could fire after the line attached, leaving it attached
  // to a connection that does not know it. A failed supervisor still
  // answers, with an error.
  if constexpr (k == kind::session_open)
    self_->request(ctx_->sessions, caf::infinite, open_atom::value, req, x.info)
        .await(on_result, on_error);
  else if constexpr (k == kind::session_attach)
    self_
        ->request(ctx_->sessions, caf::infinite, attach_atom::value, req,
                  x.session_key)
        .await(on_result, on_error);
  else
    self_
        ->request(ctx_->sessions, caf::infinite, resume_atom::value, req,
                  x.stream_token, x.last_seq)
        .await(on_result, on_error);
  return false;
}

// Instantiated here by name: clang 14 emits none for the implicit uses
// inside handle()'s std::visit above, and the fuzz build failed to link.
template bool connection_state::handle_session(codec::session_open&);
template bool connection_state::handle_session(codec::session_attach&);
template bool connection_state::handle_session(codec::session_resume&);

bool connection_state::handle_hello(codec::hello& x) {
  if (hello_seen_) {
    close_with(codec::close_code::invalid_message, "HELLO sent twice");
    return true;
  }
  if (x.version != 1) {
    close_with(codec::close_code::unsupported_version,
               "unsupported version " + std::to_string(x.version) +
                   "; this node speaks version 1");
    return true;
  }
  hello_seen_ = true;
  TETHER_LOG(debug, "connection",
             socket_->conn_id() << " HELLO from agent '" << x.agent << "'");
  self_->request(ctx_->authenticator, answer_timeout, auth_atom::value, x.auth)
      .await(
          [this](auth_result& r) {
            welcome(r);
            resume_backlog();
          },
          [this](caf::error& err) {
            TETHER_LOG(error, "connection",
                       socket_->conn_id()
                           << " authenticator failed: " << caf::to_string(err));
            welcome(auth_result{false, {}, "authentication unavailable"});
          });
  return false;
}

void connection_state::welcome(const auth_result& result) {
  if (!result.ok)
    return close_with(codec::close_code::unauthorized,
                      "unauthorized: " + result.reason);
  claims_ = result.claims;
  welcomed_ = true;
  const auto& lim = ctx_->limits;
  emit(codec::welcome{1, ctx_->node_name, socket_->conn_id(), lim.heartbeat_ms,
                      codec::map_value{limits_map(lim)}});
}

void connection_state::count_resume(const attach_result& r) {
  auto* counts = ctx_->counts.get();
  if (!counts || !r.redirect.empty())
    return; // The node that has the session counts its resume.
  if (r.error_code.empty())
    counts->resumed.add();
  else if (r.error_code == "resume_gap")
    counts->resume_gaps.add();
  else if (r.error_code == "stream_not_found")
    counts->resumes_not_found.add();
}

void connection_state::attached(uint64_t request_id,
                                const attach_result& result) {
  if (!result.error_code.empty()) {
    emit(codec::error{request_id, result.error_code, result.error_message});
    // Guessing keys or tokens costs the connection.
    bool miss = result.error_code == "session_not_found" ||
                result.error_code == "stream_not_found";
    if (miss && ++session_misses_ >= ctx_->limits.max_session_misses) {
      TETHER_LOG(info, "connection",
                 socket_->conn_id()
                     << " from " << socket_->remote() << ": " << session_misses_
                     << " sessions or streams not found, closed");
      close_with(codec::close_code::unauthorized,
                 "too many sessions or streams not found");
    }
    return;
  }
  if (!result.redirect.empty())
    // The session lives on another node: the client asks there.
    return close_with(codec::close_code::going_away,
                      "the session is served by another node", result.redirect);
  line_ = result.line;
  self_->monitor(line_);
  // A drain the line asked for before this connection knew it went
  // nowhere: one more costs nothing.
  self_->send(line_, drained_atom::value);
  if (closing_) // The socket went while the session was being attached.
    self_->send(line_, detach_atom::value, connection_actor{self_});
}

// -- answers and pushes
// ----------------------------------------------------------

void connection_state::on_push(codec::signal&& x) {
  if (welcomed_)
    emit(x);
}

caf::result<client_answer> connection_state::on_call(codec::request&& x) {
  if (closing_ || !welcomed_)
    return client_answer{false, {}, "closed", "the connection is closed"};
  return hub_.get().call(std::move(x));
}

caf::result<uint64_t> connection_state::on_credit(uint64_t wanted) {
  return out_.credit(wanted, {});
}

void connection_state::on_drained() {
  out_.settle({});
  // The line writes through this socket too, and may wait for it.
  if (line_)
    self_->send(line_, drained_atom::value);
}

void connection_state::on_stall(uint64_t epoch) {
  if (out_.on_stall(epoch))
    close_with(codec::close_code::slow_consumer,
               "slow consumer: " + std::to_string(out_.backlog()) +
                   " bytes unread for 3 heartbeat intervals");
}

void connection_state::on_released() {
  line_ = nullptr;
  to_line_.clear();
  if (drain_.active() && hub_.open_count() == 0)
    close_drained();
}

void connection_state::on_line_close(uint64_t code, const std::string& message,
                                     const std::string& redirect) {
  line_ = nullptr;
  to_line_.clear();
  close_with(static_cast<codec::close_code>(code), message, redirect);
}

void connection_state::on_down(const caf::down_msg& msg) {
  if (!line_ || msg.source != line_.address())
    return hub_.behavior_down(msg);
  // The line failed: carry on without a session, as after SESSION_CLOSED.
  TETHER_LOG(error, "connection",
             socket_->conn_id()
                 << " lost its line: " << caf::to_string(msg.reason));
  on_released();
}

// -- lifetime ----------------------------------------------------------------

void connection_state::on_polled() {
  last_received_ = clock::now();
}

void connection_state::on_too_big() {
  const auto& lim = ctx_->limits;
  close_with(codec::close_code::message_too_large,
             "message larger than max_message (" +
                 std::to_string(lim.max_message) + " bytes) or in more than " +
                 "max_fragments (" + std::to_string(lim.max_fragments) +
                 ") pieces");
}

void connection_state::let_go() {
  hub_.abandon();
  if (!line_)
    return;
  self_->send(line_, detach_atom::value, connection_actor{self_});
  // Lines outlive connections: a monitor left on one would keep this
  // connection's memory for as long as the line lives.
  self_->demonitor(line_.address());
}

void connection_state::on_closed(const std::string& reason) {
  TETHER_LOG(debug, "connection", socket_->conn_id() << " closed: " << reason);
  closing_ = true;
  let_go();
  out_.refuse_credit();
  out_.detach();
  self_->quit();
}

void connection_state::on_drain() {
  if (closing_ || drain_.active())
    return;
  auto idle =
      drain_.begin(self_, hub_, milliseconds{ctx_->limits.shutdown_grace_ms});
  if (line_)
    return self_->send(line_, drain_atom::value);
  if (idle)
    close_drained();
}

void connection_state::on_drain(std::string redirect) {
  drain_redirect_ = std::move(redirect);
  on_drain();
}

void connection_state::close_drained() {
  close_with(codec::close_code::going_away, drain::closing_text,
             drain_redirect_);
}

void connection_state::on_grace() {
  if (!closing_ && !line_)
    drain_.on_grace(hub_);
}

void connection_state::close_with(codec::close_code code,
                                  const std::string& message,
                                  const std::string& redirect) {
  if (closing_)
    return;
  auto level =
      code == codec::close_code::going_away || code == codec::close_code::normal
          ? log::level::debug
          : log::level::info;
  if (log::enabled(level))
    log::write(level, "connection",
               socket_->conn_id() + " CLOSE " +
                   std::to_string(static_cast<int>(code)) + ": " + message +
                   (redirect.empty() ? "" : " (to " + redirect + ")"));
  closing_ = true;
  out_.close(code, message, redirect);
  let_go();
}

// -- writing
// -------------------------------------------------------------------

template <class Frame> void connection_state::emit(const Frame& x) {
  if (closing_)
    return;
  out_.write_frame(x);
  last_sent_ = clock::now();
}

void connection_state::end_of_handler() {
  out_.end_of_handler();
  if (!closing_ && out_.overflowing())
    close_with(codec::close_code::slow_consumer,
               "slow consumer: " + std::to_string(out_.backlog()) +
                   " bytes queued for a client that does not read");
}

// -- timers ------------------------------------------------------------------

void connection_state::on_tick() {
  if (closing_)
    return;
  auto now = clock::now();
  const auto& lim = ctx_->limits;
  milliseconds hb{lim.heartbeat_ms};
  if (!welcomed_) {
    if (now - opened_at_ >= milliseconds{lim.handshake_timeout_ms})
      return close_with(codec::close_code::timeout,
                        "no HELLO within " +
                            std::to_string(lim.handshake_timeout_ms) + " ms");
  } else if (now - last_received_ >= 3 * hb) {
    return close_with(codec::close_code::timeout,
                      "silent for 3 heartbeat intervals");
  } else if (now - last_sent_ >= hb) {
    emit(codec::heartbeat{load(), static_cast<uint64_t>(std::time(nullptr))});
    out_.flush();
  }
  schedule_tick();
}

void connection_state::schedule_tick() {
  const auto& lim = ctx_->limits;
  milliseconds hb{lim.heartbeat_ms};
  clock::time_point next;
  if (!welcomed_)
    next = std::min(opened_at_ + milliseconds{lim.handshake_timeout_ms},
                    clock::now() + hb);
  else
    next = std::min(last_sent_ + hb, last_received_ + 3 * hb);
  auto delay =
      std::max(std::chrono::duration_cast<milliseconds>(next - clock::now()),
               milliseconds{1});
  self_->delayed_send(self_, delay, tick_atom::value);
}

uint64_t connection_state::load() const {
  double queued = static_cast<double>(out_.backlog());
  double outbox = std::min(
      1.0, queued / static_cast<double>(ctx_->limits.max_outbox_bytes));
  return static_cast<uint64_t>(std::max(hub_.busy(), outbox) * 65535.0);
}

// -- spawning ----------------------------------------------------------------

std::shared_ptr<transport::channel_handler> spawn_connection(
    caf::actor_system& sys, std::shared_ptr<transport::channel> channel,
    std::shared_ptr<const connection_context> ctx, std::string id) {
  auto socket = std::make_shared<bridge>(std::move(channel), id,
                                         ctx->report_every, ctx->counts);
  ctx->bridges->add(socket);
  spawn_handoff<std::shared_ptr<bridge>> handoff{std::move(socket)};
  auto actor = sys.spawn(
      [handoff,
       ctx](connection_state::pointer self) -> connection_actor::behavior_type {
        self->state.init(self, handoff.take(), ctx);
        auto done = [self] { self->state.end_of_handler(); };
        return outlet_behavior<connection_actor>(
            self,
            [self, done](inbound_message& msg) {
              self->state.on_inbound(msg);
              done();
            },
            [self](too_big_atom) { self->state.on_too_big(); },
            [self](closed_atom, const std::string& reason) {
              self->state.on_closed(reason);
            },
            [self](drained_atom) { self->state.on_drained(); },
            [self, done](tick_atom) {
              self->state.on_tick();
              done();
            },
            [self](polled_atom) { self->state.on_polled(); },
            [self, done](released_atom) {
              self->state.on_released();
              done();
            },
            [self, done](close_atom, uint64_t code, const std::string& message,
                         const std::string& redirect) {
              self->state.on_line_close(code, message, redirect);
              done();
            },
            [self, done](drain_atom, std::string& redirect) {
              self->state.on_drain(std::move(redirect));
              done();
            });
      });
  caf::anon_send(ctx->node, joined_atom::value, actor);
  return std::make_shared<socket_events>(std::move(actor));
}

} // namespace tether
