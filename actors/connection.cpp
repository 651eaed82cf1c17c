#include "actors/connection.hpp"

#include <algorithm>
#include <ctime>

#include <caf/actor_system.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "actors/log.hpp"
#include "actors/spawn_handoff.hpp"
#include "codec/decode.hpp"
#include "codec/encode.hpp"

namespace tether {

namespace {

/// Output is written once this much is encoded, even while busy.
constexpr size_t max_batch_bytes = 64 * 1024;

/// How long a connection waits for its authenticator.
constexpr auto answer_timeout = std::chrono::seconds{10};

/// Attaching waits without a timeout: a timeout could fire after the stream
/// attached, leaving it attached to a connection that does not know it. A
/// failed supervisor still answers, with an error.
constexpr auto attach_timeout = caf::infinite;

using std::chrono::milliseconds;

/// Turns transport events into messages to the connection actor; holds the
/// actor only until the channel is gone, so neither keeps the other alive.
class connection_bridge : public transport::channel_handler {
 public:
  explicit connection_bridge(connection_actor actor)
      : actor_(std::move(actor)) {}

  void on_message(std::string bytes, bool binary) override {
    caf::anon_send(actor_, inbound_message{std::move(bytes), binary});
  }

  void on_too_large() override { caf::anon_send(actor_, too_big_atom::value); }

  void on_drained() override { caf::anon_send(actor_, drained_atom::value); }

  void on_closed(const std::string& reason) override {
    caf::anon_send(actor_, closed_atom::value, reason);
    actor_ = nullptr;
  }

 private:
  connection_actor actor_;
};

codec::value limits_map(const config::limits& x) {
  using codec::value;
  return value::map({
      {"max_message", value::of(x.max_message)},
      {"max_inflight", value::of(x.max_inflight)},
      {"max_streams", value::of(x.max_streams)},
      {"session_ttl_s", value::of(x.session_ttl_s)},
      {"ack_every", value::of(x.ack_every)},
      {"max_connections", value::of(x.max_connections)},
      {"max_outbox_bytes", value::of(x.max_outbox_bytes)},
      {"max_outbox_frames", value::of(x.max_outbox_frames)},
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
  if (channel_ && !closing_)
    channel_->close(nullptr);
}

void connection_state::init(pointer self,
                            std::shared_ptr<transport::channel> channel,
                            std::shared_ptr<const connection_context> ctx,
                            std::string id) {
  self_ = self;
  channel_ = std::move(channel);
  ctx_ = std::move(ctx);
  id_ = std::move(id);
  opened_at_ = last_received_ = last_sent_ = clock::now();
  hub_.init([this] {
    auto hub = std::make_unique<request_hub>(
        self_, id_, ctx_->behaviors, ctx_->limits,
        [this](codec::frame&& f, bool) {
          std::visit([this](const auto& x) { emit(x); }, f);
        });
    hub->on_idle = [this] {
      if (draining_ && !stream_)
        close_with(codec::close_code::going_away, "the node is shutting down");
    };
    return hub;
  });
  TETHER_LOG(debug, "connection", id_ << " open from " << channel_->remote());
  schedule_tick();
}

// -- reading
// --------------------------------------------------------------------

void connection_state::on_inbound(inbound_message& msg) {
  last_received_ = clock::now();
  channel_->message_done();
  if (closing_)
    return;
  if (!msg.binary)
    return close_with(codec::close_code::invalid_message,
                      "text message: frames travel in binary messages");
  auto decoded = codec::decode_batch(msg.bytes.data(), msg.bytes.size());
  if (auto err = std::get_if<codec::decode_error>(&decoded))
    return close_with(codec::close_code::invalid_message,
                      "invalid message: " + err->reason);
  process(std::get<std::vector<codec::frame>>(decoded));
}

void connection_state::process(std::vector<codec::frame>& frames) {
  for (size_t i = 0; i < frames.size() && !closing_;) {
    if (!handle(frames[i++])) {
      backlog_.assign(std::make_move_iterator(frames.begin() + i),
                      std::make_move_iterator(frames.end()));
      break;
    }
  }
  forward_to_stream();
}

void connection_state::resume_backlog() {
  auto frames = std::move(backlog_);
  backlog_.clear();
  process(frames);
  flush_if_idle();
}

void connection_state::forward_to_stream() {
  if (to_stream_.empty())
    return;
  if (stream_ && !closing_)
    self_->send(stream_, client_frames{std::move(to_stream_)});
  to_stream_.clear();
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
                     id_ << " closed by client, code " << x.code);
          forward_to_stream();
          closing_ = true;
          let_go();
          channel_->close(nullptr);
          return true;
        } else if constexpr (is_any_of_v<type>(
                                 {kind::request, kind::stream,
                                  kind::stream_part, kind::cancel, kind::signal,
                                  kind::reply, kind::error, kind::retry,
                                  kind::result_part, kind::ack})) {
          if (stream_) {
            to_stream_.emplace_back(std::move(x));
            return true;
          }
          if constexpr (k == kind::request || k == kind::stream) {
            // A duplicate of an open id is the hub's to ignore, drain or
            // not: RETRY would say it never ran.
            if (draining_ && !hub_.is_open(x.id))
              emit(retry{x.id, 0, "shutdown"});
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
          if (stream_) {
            emit(
                error{x.id, "exists", "this connection has a session already"});
            return true;
          }
          if (draining_) {
            // SESSION_* is answered by SESSION or ERROR, never RETRY.
            emit(error{x.id, "shutdown", "the node is shutting down"});
            return true;
          }
          // SESSION comes from the stream: what this connection sent before
          // (WELCOME, say) must reach the client first.
          flush();
          attach_request req{caf::actor_cast<caf::actor>(self_), channel_, id_,
                             x.id, claims_};
          auto id = x.id;
          auto on_result = [this, id](attach_result& r) {
            attached(id, r);
            resume_backlog();
          };
          auto on_error = [this, id](caf::error& err) {
            TETHER_LOG(error, "connection",
                       id_ << " session request failed: "
                           << caf::to_string(err));
            emit(error{id, "internal", "the session service did not answer"});
            resume_backlog();
          };
          if constexpr (k == kind::session_open)
            self_
                ->request(ctx_->sessions, answer_timeout, open_atom::value, req,
                          x.info)
                .await(on_result, on_error);
          else if constexpr (k == kind::session_attach)
            self_
                ->request(ctx_->sessions, answer_timeout, attach_atom::value,
                          req, x.session_key)
                .await(on_result, on_error);
          else
            self_
                ->request(ctx_->sessions, answer_timeout, resume_atom::value,
                          req, x.stream_token, x.last_seq)
                .await(on_result, on_error);
          return false;
        } else if constexpr (k == kind::session_close) {
          if (!stream_) {
            emit(error{x.id, "no_session", "this connection has no session"});
            return true;
          }
          forward_to_stream();
          // Later frames wait until the stream has closed: they belong to
          // no session then.
          auto done = [this] {
            stream_ = nullptr;
            resume_backlog();
          };
          self_->request(stream_, caf::infinite, close_atom::value, x.id)
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
             id_ << " HELLO from agent '" << x.agent << "'");
  self_->request(ctx_->authenticator, answer_timeout, auth_atom::value, x.auth)
      .await(
          [this](auth_result& r) {
            welcome(r);
            resume_backlog();
          },
          [this](caf::error& err) {
            TETHER_LOG(error, "connection",
                       id_ << " authenticator failed: " << caf::to_string(err));
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
  emit(codec::welcome{1, ctx_->node_name, id_, lim.heartbeat_ms,
                      codec::map_value{limits_map(lim)}});
}

void connection_state::attached(uint64_t request_id,
                                const attach_result& result) {
  if (!result.error_code.empty())
    return emit(
        codec::error{request_id, result.error_code, result.error_message});
  stream_ = caf::actor_cast<stream_actor>(result.stream);
  self_->monitor(stream_);
  if (closing_) // The socket went while the session was being attached.
    self_->send(stream_, detach_atom::value,
                caf::actor_cast<caf::actor>(self_));
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

caf::result<bool> connection_state::on_credit() {
  if (closing_)
    return false;
  auto low_water = ctx_->limits.max_outbox_bytes / 4;
  if (channel_->queued_bytes() + out_.size() < low_water)
    return true;
  auto promise = self_->make_response_promise<bool>();
  credit_waiters_.push_back(promise);
  if (credit_waiters_.size() == 1)
    channel_->notify_when_below(low_water);
  return promise;
}

void connection_state::on_drained() {
  auto waiters = std::move(credit_waiters_);
  credit_waiters_.clear();
  for (auto& w : waiters)
    w.deliver(!closing_);
}

void connection_state::on_detached(bool close, uint64_t code,
                                   const std::string& message) {
  stream_ = nullptr;
  to_stream_.clear();
  if (close)
    return close_with(static_cast<codec::close_code>(code), message);
  if (draining_ && hub_.open_count() == 0)
    close_with(codec::close_code::going_away, "the node is shutting down");
}

void connection_state::on_down(const caf::down_msg& msg) {
  if (!stream_ || msg.source != stream_.address())
    return hub_.behavior_down(msg);
  // The stream failed: carry on without a session, as after SESSION_CLOSED.
  TETHER_LOG(error, "connection",
             id_ << " lost its stream: " << caf::to_string(msg.reason));
  on_detached(false, 0, {});
}

// -- lifetime ----------------------------------------------------------------

void connection_state::on_too_big() {
  close_with(codec::close_code::message_too_large,
             "message larger than max_message (" +
                 std::to_string(ctx_->limits.max_message) + " bytes)");
}

void connection_state::let_go() {
  hub_.abandon();
  if (!stream_)
    return;
  self_->send(stream_, detach_atom::value, caf::actor_cast<caf::actor>(self_));
  // Streams outlive connections: a monitor left on one would keep this
  // connection's memory for as long as the stream lives.
  self_->demonitor(stream_.address());
}

void connection_state::on_closed(const std::string& reason) {
  TETHER_LOG(debug, "connection", id_ << " closed: " << reason);
  closing_ = true;
  let_go();
  on_drained();
  channel_.reset();
  self_->quit();
}

void connection_state::on_drain() {
  if (closing_ || draining_)
    return;
  draining_ = true;
  if (stream_)
    return self_->send(stream_, drain_atom::value);
  if (hub_.open_count() == 0)
    return close_with(codec::close_code::going_away,
                      "the node is shutting down");
  self_->delayed_send(self_, milliseconds{ctx_->limits.shutdown_grace_ms},
                      grace_atom::value);
}

void connection_state::on_grace() {
  if (!closing_ && !stream_)
    hub_.fail_open("shutdown",
                   "the node shut down before this request finished");
}

void connection_state::close_with(codec::close_code code,
                                  const std::string& message) {
  if (closing_)
    return;
  auto level =
      code == codec::close_code::going_away || code == codec::close_code::normal
          ? log::level::debug
          : log::level::info;
  if (log::enabled(level))
    log::write(level, "connection",
               id_ + " CLOSE " + std::to_string(static_cast<int>(code)) + ": " +
                   message);
  codec::encode_one(codec::close{static_cast<uint64_t>(code), message, ""},
                    out_);
  closing_ = true;
  channel_->close(transport::make_shared_bytes(std::move(out_)));
  out_.clear();
  let_go();
  on_drained();
}

// -- writing
// -------------------------------------------------------------------

template <class Frame> void connection_state::emit(const Frame& x) {
  if (closing_)
    return;
  codec::encode_one(x, out_);
  last_sent_ = clock::now();
  if (out_.size() >= max_batch_bytes)
    flush();
}

void connection_state::flush() {
  if (out_.empty() || closing_)
    return;
  channel_->send(transport::make_shared_bytes(std::move(out_)));
  out_.clear();
  auto queued = channel_->queued_bytes();
  if (queued > ctx_->limits.max_outbox_bytes)
    close_with(codec::close_code::slow_consumer,
               "slow consumer: " + std::to_string(queued) +
                   " bytes queued for a client that does not read");
}

void connection_state::flush_if_idle() {
  if (self_->mailbox().empty())
    flush();
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
    flush();
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
  double queued = channel_ ? static_cast<double>(channel_->queued_bytes()) : 0;
  double outbox = std::min(
      1.0, queued / static_cast<double>(ctx_->limits.max_outbox_bytes));
  return static_cast<uint64_t>(std::max(hub_.busy(), outbox) * 65535.0);
}

// -- spawning ----------------------------------------------------------------

connection_actor spawn_connection(caf::actor_system& sys,
                                  std::shared_ptr<transport::channel> channel,
                                  std::shared_ptr<const connection_context> ctx,
                                  std::string id) {
  auto node = ctx->node;
  spawn_handoff<std::shared_ptr<transport::channel>> handoff{
      std::move(channel)};
  auto actor = sys.spawn(
      [handoff, ctx,
       id](connection_state::pointer self) -> connection_actor::behavior_type {
        self->state.init(self, handoff.take(), ctx, id);
        self->set_down_handler([self](caf::down_msg& msg) {
          self->state.on_down(msg);
          self->state.flush_if_idle();
        });
        // Handlers end by writing what they produced, unless more work waits
        // in the mailbox to join the same WebSocket message.
        return {
            [self](inbound_message& msg) {
              self->state.on_inbound(msg);
              self->state.flush_if_idle();
            },
            [self](too_big_atom) { self->state.on_too_big(); },
            [self](closed_atom, const std::string& reason) {
              self->state.on_closed(reason);
            },
            [self](drained_atom) { self->state.on_drained(); },
            [self](tick_atom) {
              self->state.on_tick();
              self->state.flush_if_idle();
            },
            [self](flush_atom) { self->state.flush_if_idle(); },
            [self](codec::reply& x) {
              self->state.on_answer(std::move(x));
              self->state.flush_if_idle();
            },
            [self](codec::error& x) {
              self->state.on_answer(std::move(x));
              self->state.flush_if_idle();
            },
            [self](codec::retry& x) {
              self->state.on_answer(std::move(x));
              self->state.flush_if_idle();
            },
            [self](codec::result_part& x) {
              self->state.on_answer(std::move(x));
              self->state.flush_if_idle();
            },
            [self](codec::signal& x) {
              self->state.on_push(std::move(x));
              self->state.flush_if_idle();
            },
            [self](codec::request& x) {
              auto result = self->state.on_call(std::move(x));
              self->state.flush_if_idle();
              return result;
            },
            [self](credit_atom) { return self->state.on_credit(); },
            [self](drain_atom) {
              self->state.on_drain();
              self->state.flush_if_idle();
            },
            [self](grace_atom) {
              self->state.on_grace();
              self->state.flush_if_idle();
            },
            [self](detach_atom, bool close, uint64_t code,
                   const std::string& message) {
              self->state.on_detached(close, code, message);
              self->state.flush_if_idle();
            },
        };
      });
  caf::anon_send(node, joined_atom::value, actor);
  return actor;
}

std::shared_ptr<transport::channel_handler>
make_connection_handler(connection_actor actor) {
  return std::make_shared<connection_bridge>(std::move(actor));
}

} // namespace tether
