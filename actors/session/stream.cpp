#include "actors/session/stream.hpp"

#include <ctime>
#include <utility>

#include <caf/actor_system.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "actors/log.hpp"
#include "codec/encode.hpp"

namespace tether {

namespace {

uint64_t unix_now() {
  return static_cast<uint64_t>(std::time(nullptr));
}

attach_result refuse(std::string code, std::string message) {
  return attach_result{std::move(code), std::move(message), nullptr};
}

} // namespace

void stream_state::init(pointer self, std::shared_ptr<const stream_context> ctx,
                        stream_identity id) {
  self_ = self;
  ctx_ = std::move(ctx);
  id_ = std::move(id);
  detached_since_ = clock::now();
  hub_.init([this] {
    auto hub = std::make_unique<request_hub>(
        self_, id_.session_id + "/" + std::to_string(id_.number),
        ctx_->behaviors, ctx_->limits,
        [this](codec::frame&& f, bool) { emit(f); });
    hub->set_session(id_.session_id, caf::actor_cast<caf::actor>(id_.session),
                     id_.info);
    hub->on_idle = [this] {
      if (draining_)
        release_connection(true, codec::close_code::going_away,
                           "the node is shutting down");
    };
    return hub;
  });
  self->monitor(id_.session);
}

// -- from the connection
// --------------------------------------------------------

void stream_state::on_frames(client_frames& x) {
  for (auto& f : x.frames) {
    std::visit(
        [this](auto& y) {
          using type = std::decay_t<decltype(y)>;
          if constexpr (std::is_same_v<type, codec::request> ||
                        std::is_same_v<type, codec::stream>) {
            constexpr bool streamed = std::is_same_v<type, codec::stream>;
            // Exactly once: a running or answered id is not run again; its
            // one answer is (or was) sent on this stream. Checked before
            // the drain: RETRY would say it never ran.
            if (hub_.is_open(y.id) || answered_.count(y.id) > 0)
              return;
            if (draining_)
              return emit(codec::retry{y.id, 0, "shutdown"});
            hub_.get().request(y.id, std::move(y.op), std::move(y.payload),
                               streamed);
          } else if constexpr (std::is_same_v<type, codec::ack>) {
            acknowledge(y.seq);
          } else {
            hub_.get().take(y);
          }
        },
        f);
  }
}

caf::result<attach_result> stream_state::on_attach(attach_request& req,
                                                   bool resume,
                                                   uint64_t generation,
                                                   uint64_t last_seq) {
  if (resume) {
    auto refused = [&](std::string code, std::string message) {
      // The session counted this stream as attached: correct that.
      self_->send(id_.session, detach_atom::value, stream_actor{self_},
                  connection_ != nullptr);
      return refuse(std::move(code), std::move(message));
    };
    // Whatever the reason, an unusable token gets the same answer.
    if (generation != generation_)
      return refused("stream_not_found", "no stream for this token");
    if (broken_ || last_seq < acked_)
      return refused("resume_gap", "frames after last_seq are no longer kept");
    if (last_seq >= next_seq_)
      return refused("invalid", "last_seq is ahead of the stream");
  }
  if (connection_ && connection_ != req.connection)
    release_connection(true, codec::close_code::replaced,
                       "another connection resumed this stream");
  connection_ = req.connection;
  channel_ = req.channel;
  // A connection that fails without saying so is detached all the same.
  self_->monitor(connection_);
  ++generation_;
  security::stream_claims claims;
  claims.node = ctx_->node_name;
  claims.session_id = id_.session_id;
  claims.stream = id_.number;
  claims.generation = generation_;
  claims.expires = unix_now() + ctx_->limits.token_ttl_s;
  auto token = ctx_->signer->sign(claims);
  codec::session reply{req.request_id,
                       id_.session_id,
                       id_.session_key,
                       token,
                       resume ? last_seq : next_seq_ - 1,
                       resume,
                       id_.info};
  ++bulk_;
  send(transport::make_shared_bytes(codec::encode(reply)));
  if (resume) {
    acknowledge(last_seq);
    outbox_.for_each([this](const kept_frame& kept) { send(kept.bytes); });
  }
  --bulk_;
  flush();
  self_->send(id_.session, detach_atom::value, stream_actor{self_}, true);
  TETHER_LOG(debug, "stream",
             id_.session_id << "/" << id_.number
                            << (resume ? " resumed by " : " attached to ")
                            << req.conn_id);
  return attach_result{{}, {}, caf::actor_cast<caf::actor>(self_)};
}

void stream_state::on_detach(const caf::actor& connection) {
  if (!connection_ || connection != connection_)
    return; // A connection this stream already let go.
  connection_ = nullptr;
  channel_ = nullptr;
  out_.clear(); // kept in the outbox, for a resume
  detached_since_ = clock::now();
  self_->send(id_.session, detach_atom::value, stream_actor{self_}, false);
  self_->delayed_send(self_, std::chrono::seconds{ctx_->limits.session_ttl_s},
                      tick_atom::value);
}

caf::result<bool> stream_state::on_close_request(uint64_t request_id) {
  emit(codec::reply{request_id, codec::value::empty_map()});
  self_->send(id_.session, close_atom::value);
  // Answered once SESSION_CLOSED is out: the connection waits for that.
  auto promise = self_->make_response_promise<bool>();
  close_waiters_.push_back(promise);
  return promise;
}

// -- from behaviors and the session -------------------------------------------

void stream_state::on_push(codec::signal&& x) {
  emit(x);
}

void stream_state::on_push(transport::shared_bytes encoded) {
  keep_and_send(*encoded);
}

caf::result<client_answer> stream_state::on_call(codec::request&& x) {
  return hub_.get().call(std::move(x));
}

caf::result<bool> stream_state::on_credit() {
  if (broken_)
    return false; // Whatever is sent now is dropped: stop the sender.
  if (outbox_has_room())
    return true;
  auto promise = self_->make_response_promise<bool>();
  credit_waiters_.push_back(promise);
  return promise;
}

void stream_state::on_session_closed() {
  // Every open request gets its one answer before the stream goes.
  hub_.fail_open("cancelled", "the session was closed");
  emit(codec::session_closed{"closed"});
  hub_.abandon();
  release_connection(false, codec::close_code::normal, {});
  for (auto& p : std::exchange(close_waiters_, {}))
    p.deliver(true);
  self_->quit();
}

void stream_state::on_drain() {
  draining_ = true;
  if (hub_.open_count() == 0)
    release_connection(true, codec::close_code::going_away,
                       "the node is shutting down");
  else
    self_->delayed_send(
        self_, std::chrono::milliseconds{ctx_->limits.shutdown_grace_ms},
        grace_atom::value);
}

void stream_state::on_grace() {
  if (draining_)
    hub_.fail_open("shutdown",
                   "the node shut down before this request finished");
}

void stream_state::on_tick() {
  auto ttl = std::chrono::seconds{ctx_->limits.session_ttl_s};
  if (!connection_ && clock::now() - detached_since_ >= ttl) {
    TETHER_LOG(debug, "stream",
               id_.session_id << "/" << id_.number << " expired");
    hub_.abandon();
    self_->quit();
  }
}

void stream_state::on_down(const caf::down_msg& msg) {
  if (connection_ && msg.source == connection_.address())
    return on_detach(connection_);
  if (msg.source != id_.session.address())
    return hub_.behavior_down(msg);
  // The session is gone without closing its streams (it failed).
  emit(codec::session_closed{"ended"});
  hub_.abandon();
  release_connection(false, codec::close_code::normal, {});
  self_->quit();
}

// -- the outbox
// -----------------------------------------------------------------

void stream_state::emit(const codec::frame& x) {
  // The final answer to a request: remembered until acknowledged, so that a
  // re-sent request is not run again.
  std::visit(
      [this](const auto& y) {
        using type = std::decay_t<decltype(y)>;
        if constexpr (std::is_same_v<type, codec::reply> ||
                      std::is_same_v<type, codec::error>) {
          answered_[y.id] = next_seq_;
        } else if constexpr (std::is_same_v<type, codec::result_part>) {
          if (y.last)
            answered_[y.id] = next_seq_;
        }
      },
      x);
  keep_and_send(codec::encode(x));
}

void stream_state::keep_and_send(std::string_view inner) {
  if (broken_)
    return;
  const auto& lim = ctx_->limits;
  auto seq = next_seq_++;
  std::string bytes;
  codec::encode_seq(seq, inner, bytes);
  // A client that acknowledges what it never read still fills its socket.
  bool over = outbox_.size() + 1 > lim.max_outbox_frames ||
              outbox_bytes_ + bytes.size() > lim.max_outbox_bytes ||
              (channel_ && channel_->queued_bytes() > lim.max_outbox_bytes);
  if (over && !connection_) {
    // Nobody reads and nothing more fits: this frame is lost, so the stream
    // can no longer be resumed without a gap. Free what it kept.
    TETHER_LOG(info, "stream",
               id_.session_id << "/" << id_.number
                              << " overflowed while "
                                 "detached: frames dropped");
    broken_ = true;
    outbox_.clear();
    outbox_bytes_ = 0;
    answered_.clear();
    for (auto& w : std::exchange(credit_waiters_, {}))
      w.deliver(false);
    return;
  }
  auto shared = transport::make_shared_bytes(std::move(bytes));
  outbox_bytes_ += shared->size();
  outbox_.push_back({seq, shared});
  send(std::move(shared));
  if (over)
    release_connection(true, codec::close_code::slow_consumer,
                       "slow consumer: " + std::to_string(outbox_.size()) +
                           " frames unacknowledged (" +
                           std::to_string(outbox_bytes_) + " bytes)");
}

void stream_state::send(transport::shared_bytes bytes) {
  if (!channel_)
    return; // Kept in the outbox for a resume.
  bool alone = bulk_ == 0 && self_->mailbox().empty();
  if (alone && out_.empty())
    return channel_->send(std::move(bytes));
  if (!out_.empty() &&
      out_.size() + bytes->size() > ctx_->limits.batch_max_bytes)
    flush();
  out_ += *bytes;
  if (alone || out_.size() >= ctx_->limits.batch_max_bytes)
    return flush();
  if (bulk_ == 0 && !flush_scheduled_) {
    // Behind the messages now waiting: whatever they add joins this one.
    flush_scheduled_ = true;
    self_->send(self_, flush_atom::value);
  }
}

void stream_state::flush() {
  if (out_.empty() || !channel_)
    return;
  channel_->send(transport::make_shared_bytes(std::move(out_)));
  out_.clear();
}

void stream_state::acknowledge(uint64_t seq) {
  if (seq <= acked_ || seq >= next_seq_)
    return; // Old news, or a seq never sent.
  acked_ = seq;
  while (!outbox_.empty() && outbox_.front().seq <= seq) {
    outbox_bytes_ -= outbox_.front().bytes->size();
    outbox_.pop_front();
  }
  for (auto i = answered_.begin(); i != answered_.end();) {
    if (i->second <= seq)
      i = answered_.erase(i);
    else
      ++i;
  }
  settle_credit();
}

bool stream_state::outbox_has_room() const {
  const auto& lim = ctx_->limits;
  return outbox_bytes_ < lim.max_outbox_bytes / 4 &&
         outbox_.size() < lim.max_outbox_frames / 4 &&
         (!channel_ || channel_->queued_bytes() < lim.max_outbox_bytes / 4);
}

void stream_state::settle_credit() {
  if (credit_waiters_.empty() || !outbox_has_room())
    return;
  auto waiters = std::move(credit_waiters_);
  credit_waiters_.clear();
  for (auto& w : waiters)
    w.deliver(true);
}

void stream_state::release_connection(bool close, codec::close_code code,
                                      const std::string& message) {
  if (!connection_)
    return;
  // What waits reaches the socket before the connection's CLOSE.
  flush();
  self_->send(caf::actor_cast<connection_actor>(connection_),
              detach_atom::value, close, static_cast<uint64_t>(code), message);
  on_detach(connection_);
}

// -- spawning ----------------------------------------------------------------

stream_actor spawn_stream(caf::actor_system& sys,
                          std::shared_ptr<const stream_context> ctx,
                          stream_identity id) {
  return sys.spawn([ctx, id](stream_state::pointer self)
                       -> stream_actor::behavior_type {
    self->state.init(self, ctx, id);
    self->set_down_handler(
        [self](caf::down_msg& msg) { self->state.on_down(msg); });
    return {
        [self](codec::reply& x) { self->state.on_answer(std::move(x)); },
        [self](codec::error& x) { self->state.on_answer(std::move(x)); },
        [self](codec::retry& x) { self->state.on_answer(std::move(x)); },
        [self](codec::result_part& x) { self->state.on_answer(std::move(x)); },
        [self](codec::signal& x) { self->state.on_push(std::move(x)); },
        [self](codec::request& x) { return self->state.on_call(std::move(x)); },
        [self](credit_atom) { return self->state.on_credit(); },
        [self](client_frames& x) { self->state.on_frames(x); },
        [self](attach_atom, attach_request& req, bool resume, uint64_t gen,
               uint64_t last_seq) {
          return self->state.on_attach(req, resume, gen, last_seq);
        },
        [self](detach_atom, const caf::actor& conn) {
          self->state.on_detach(conn);
        },
        [self](close_atom, uint64_t request_id) {
          return self->state.on_close_request(request_id);
        },
        [self](closed_atom) { self->state.on_session_closed(); },
        [self](push_atom, transport::shared_bytes bytes) {
          self->state.on_push(std::move(bytes));
        },
        [self](drain_atom) { self->state.on_drain(); },
        [self](grace_atom) { self->state.on_grace(); },
        [self](tick_atom) { self->state.on_tick(); },
        [self](flush_atom) { self->state.on_flush(); },
    };
  });
}

} // namespace tether
