#include "actors/connection.hpp"

#include <algorithm>
#include <ctime>

#include <caf/actor_system.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "actors/log.hpp"
#include "codec/decode.hpp"
#include "codec/encode.hpp"

namespace tether {

namespace {

/// Output is written once this much is encoded, even while busy.
constexpr size_t max_batch_bytes = 64 * 1024;

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
  return codec::value::map({
      {"max_message", codec::value::of(x.max_message)},
      {"max_inflight", codec::value::of(x.max_inflight)},
      {"max_streams", codec::value::of(x.max_streams)},
      {"session_ttl_s", codec::value::of(x.session_ttl_s)},
      {"ack_every", codec::value::of(x.ack_every)},
      {"max_outbox_bytes", codec::value::of(x.max_outbox_bytes)},
  });
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
  for (auto& f : std::get<std::vector<codec::frame>>(decoded)) {
    handle(f);
    if (closing_)
      return;
  }
}

void connection_state::handle(codec::frame& f) {
  using namespace codec;
  if (!welcomed_ && !std::holds_alternative<hello>(f))
    return close_with(close_code::invalid_message,
                      "the first frame must be HELLO");
  std::visit(
      [this](auto& x) {
        using type = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<type, hello>) {
          handle_hello(x);
        } else if constexpr (std::is_same_v<type, heartbeat> ||
                             std::is_same_v<type, ack>) {
          // Arrival alone counts: `last_received_` is already updated.
        } else if constexpr (std::is_same_v<type, codec::close>) {
          TETHER_LOG(debug, "connection",
                     id_ << " closed by client, code " << x.code);
          closing_ = true;
          fail_all_open("cancelled", "the connection closed");
          channel_->close(nullptr);
        } else if constexpr (std::is_same_v<type, request>) {
          handle_request(x.id, std::move(x.op), std::move(x.payload), false);
        } else if constexpr (std::is_same_v<type, codec::stream>) {
          handle_request(x.id, std::move(x.op), std::move(x.payload), true);
        } else if constexpr (std::is_same_v<type, stream_part>) {
          handle_part(x);
        } else if constexpr (std::is_same_v<type, cancel>) {
          handle_cancel(x.id);
        } else if constexpr (std::is_same_v<type, codec::signal>) {
          if (auto handler = ctx_->behaviors->find(x.name))
            self_->send(*handler, signal_atom::value,
                        request_context{caf::actor_cast<caf::actor>(self_), id_,
                                        0, x.name},
                        std::move(x.payload));
        } else if constexpr (std::is_same_v<type, reply>) {
          handle_client_answer(x.id, {true, std::move(x.payload), {}, {}});
        } else if constexpr (std::is_same_v<type, codec::error>) {
          handle_client_answer(x.id, {false, {}, x.code, x.message});
        } else if constexpr (std::is_same_v<type, retry>) {
          handle_client_answer(x.id, {false, {}, "retry", x.reason});
        } else if constexpr (std::is_same_v<type, result_part>) {
          // A streamed answer to a node's request: its last part completes it.
          if (x.last)
            handle_client_answer(x.id, {true, std::move(x.payload), {}, {}});
        } else if constexpr (std::is_same_v<type, session_open> ||
                             std::is_same_v<type, session_attach> ||
                             std::is_same_v<type, session_resume> ||
                             std::is_same_v<type, session_close>) {
          emit(codec::error{x.id, "invalid",
                            "sessions are not available on this node"});
        } else {
          close_with(close_code::invalid_message,
                     std::string{to_string(type::kind_v)} +
                         " is sent by nodes only");
        }
      },
      f);
}

void connection_state::handle_hello(codec::hello& x) {
  if (welcomed_)
    return close_with(codec::close_code::invalid_message, "HELLO sent twice");
  if (x.version != 1)
    return close_with(codec::close_code::unsupported_version,
                      "unsupported version " + std::to_string(x.version) +
                          "; this node speaks version 1");
  welcomed_ = true;
  TETHER_LOG(debug, "connection",
             id_ << " HELLO from agent '" << x.agent << "'");
  const auto& lim = ctx_->limits;
  emit(codec::welcome{1, ctx_->node_name, id_, lim.heartbeat_ms,
                      codec::map_value{limits_map(lim)}});
}

void connection_state::handle_request(uint64_t id, std::string op,
                                      codec::value payload, bool streamed) {
  const auto& lim = ctx_->limits;
  if (open_.count(id) > 0) {
    // The id is still open: its one answer is on its way.
    TETHER_LOG(debug, "connection", id_ << " duplicate request id " << id);
    return;
  }
  if (draining_)
    return emit(codec::retry{id, 0, "shutdown"});
  auto handler = ctx_->behaviors->find(op);
  if (!handler)
    return emit(codec::error{id, "unknown_op", "no op named '" + op + "'"});
  if (streamed && open_streams_ >= lim.max_streams)
    return emit(codec::retry{id, lim.retry_after_ms, "stream_limit"});
  if (!streamed && open_.size() - open_streams_ >= lim.max_inflight)
    return emit(codec::retry{id, lim.retry_after_ms, "overloaded"});
  request_context rc{caf::actor_cast<caf::actor>(self_), id_, id, op};
  if (watched_.insert(handler->address()).second)
    self_->monitor(*handler);
  open_.emplace(id, open_request{*handler, rc, streamed, false});
  if (streamed) {
    ++open_streams_;
    self_->send(*handler, open_atom::value, std::move(rc), std::move(payload));
  } else {
    self_->send(*handler, invoke_atom::value, std::move(rc),
                std::move(payload));
  }
}

void connection_state::handle_part(codec::stream_part& x) {
  auto i = open_.find(x.id);
  if (i == open_.end() || !i->second.streamed || i->second.upload_done) {
    // Parts of a stream already answered (or cancelled) have nowhere to go.
    TETHER_LOG(debug, "connection", id_ << " part of no open stream " << x.id);
    return;
  }
  i->second.upload_done = x.last;
  self_->send(i->second.handler, part_atom::value, i->second.ctx,
              std::move(x.payload), x.last);
}

void connection_state::handle_cancel(uint64_t id) {
  auto i = open_.find(id);
  if (i == open_.end())
    return; // Answered already: nothing to withdraw.
  self_->send(i->second.handler, cancel_atom::value, i->second.ctx);
  emit(codec::error{id, "cancelled", "cancelled by the client"});
  answered(id);
}

void connection_state::handle_client_answer(uint64_t id, client_answer answer) {
  auto i = calls_.find(id);
  if (i == calls_.end())
    return; // Not a request of ours, or its caller gave up.
  i->second.deliver(std::move(answer));
  calls_.erase(i);
}

// -- answers from behaviors -------------------------------------------------

void connection_state::on_answer(codec::reply&& x) {
  if (open_.count(x.id) == 0 || closing_)
    return; // Cancelled or timed out: the client has its answer.
  emit(x);
  answered(x.id);
}

void connection_state::on_answer(codec::error&& x) {
  if (open_.count(x.id) == 0 || closing_)
    return;
  emit(x);
  answered(x.id);
}

void connection_state::on_answer(codec::retry&& x) {
  if (open_.count(x.id) == 0 || closing_)
    return;
  emit(x);
  answered(x.id);
}

void connection_state::on_answer(codec::result_part&& x) {
  if (open_.count(x.id) == 0 || closing_)
    return;
  emit(x);
  if (x.last)
    answered(x.id);
}

void connection_state::on_push(codec::signal&& x) {
  if (!welcomed_ || closing_)
    return;
  emit(x);
}

caf::result<client_answer> connection_state::on_call(codec::request&& x) {
  if (closing_ || !welcomed_)
    return client_answer{false, {}, "closed", "the connection is closed"};
  if (calls_.size() >= ctx_->limits.max_inflight)
    return client_answer{
        false, {}, "overloaded", "too many requests open to this client"};
  auto id = next_call_id_++;
  x.id = id;
  emit(x);
  auto promise = self_->make_response_promise<client_answer>();
  calls_.emplace(id, promise);
  return promise;
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

void connection_state::answered(uint64_t id) {
  auto i = open_.find(id);
  if (i == open_.end())
    return;
  if (i->second.streamed)
    --open_streams_;
  open_.erase(i);
  if (draining_ && open_.empty())
    close_with(codec::close_code::going_away, "the node is shutting down");
}

void connection_state::fail_all_open(const std::string& code,
                                     const std::string& message) {
  for (auto& kv : open_)
    self_->send(kv.second.handler, cancel_atom::value, kv.second.ctx);
  open_.clear();
  open_streams_ = 0;
  for (auto& kv : calls_)
    kv.second.deliver(client_answer{false, {}, code, message});
  calls_.clear();
  on_drained();
}

// -- lifetime ----------------------------------------------------------------

void connection_state::on_too_big() {
  close_with(codec::close_code::message_too_large,
             "message larger than max_message (" +
                 std::to_string(ctx_->limits.max_message) + " bytes)");
}

void connection_state::on_closed(const std::string& reason) {
  TETHER_LOG(debug, "connection", id_ << " closed: " << reason);
  closing_ = true;
  fail_all_open("cancelled", "the connection closed");
  channel_.reset();
  self_->quit();
}

void connection_state::on_drain() {
  if (closing_ || draining_)
    return;
  draining_ = true;
  if (open_.empty())
    return close_with(codec::close_code::going_away,
                      "the node is shutting down");
  self_->delayed_send(self_, milliseconds{ctx_->limits.shutdown_grace_ms},
                      grace_atom::value);
}

void connection_state::on_grace() {
  if (closing_)
    return;
  for (auto& kv : open_) {
    self_->send(kv.second.handler, cancel_atom::value, kv.second.ctx);
    emit(codec::error{kv.first, "shutdown",
                      "the node shut down before this request finished"});
  }
  open_.clear();
  open_streams_ = 0;
  close_with(codec::close_code::going_away, "the node is shutting down");
}

void connection_state::on_down(const caf::down_msg& msg) {
  watched_.erase(msg.source);
  std::vector<uint64_t> failed;
  for (auto& kv : open_)
    if (kv.second.handler.address() == msg.source)
      failed.push_back(kv.first);
  for (auto id : failed) {
    TETHER_LOG(error, "connection",
               id_ << " op '" << open_[id].ctx.op << "' failed: its behavior "
                   << "stopped (" << caf::to_string(msg.reason) << ")");
    emit(codec::error{id, "internal", "the op failed"});
    answered(id);
  }
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
  fail_all_open("cancelled", "the connection closed");
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
  const auto& lim = ctx_->limits;
  auto ratio = [](double used, double limit) {
    return limit > 0 ? std::min(1.0, used / limit) : 0.0;
  };
  double busy = std::max(
      {ratio(static_cast<double>(open_.size() - open_streams_),
             static_cast<double>(lim.max_inflight)),
       ratio(static_cast<double>(open_streams_),
             static_cast<double>(lim.max_streams)),
       ratio(static_cast<double>(channel_ ? channel_->queued_bytes() : 0),
             static_cast<double>(lim.max_outbox_bytes))});
  return static_cast<uint64_t>(busy * 65535.0);
}

// -- spawning ----------------------------------------------------------------

connection_actor spawn_connection(caf::actor_system& sys,
                                  std::shared_ptr<transport::channel> channel,
                                  std::shared_ptr<const connection_context> ctx,
                                  std::string id) {
  auto node = ctx->node;
  auto actor = sys.spawn(
      [channel, ctx,
       id](connection_state::pointer self) -> connection_actor::behavior_type {
        auto& st = self->state;
        st.init(self, channel, ctx, id);
        self->set_down_handler([self](caf::down_msg& msg) {
          self->state.on_down(msg);
          self->state.flush_if_idle();
        });
        return {
            [self](inbound_message& msg) {
              self->state.on_inbound(msg);
              self->state.flush_if_idle();
            },
            [self](too_big_atom) { self->state.on_too_big(); },
            [self](closed_atom, const std::string& reason) {
              self->state.on_closed(reason);
            },
            [self](drained_atom) {
              self->state.on_drained();
              self->state.flush_if_idle();
            },
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
            [self](grace_atom) { self->state.on_grace(); },
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
