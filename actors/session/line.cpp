#include "tether/actors/session/line.hpp"

#include <ctime>
#include <utility>

#include <caf/actor_system.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "tether/actors/log.hpp"
#include "tether/actors/outlet/outlet_behavior.hpp"
#include "tether/codec/encode.hpp"
#include "tether/store/batch.hpp"

namespace tether {

namespace {

uint64_t unix_now() {
  return static_cast<uint64_t>(std::time(nullptr));
}

} // namespace

void line_state::init(pointer self, std::shared_ptr<const session_context> ctx,
                      line_identity id, line_origin origin) {
  self_ = self;
  ctx_ = std::move(ctx);
  id_ = std::move(id);
  outbox_bytes_.count_in(ctx_->kept);
  detached_since_ = clock::now();
  detached_since_ms_ = store::unix_ms();
  if (ctx_->store.enabled())
    seq_limit_ = next_seq_;
  out_.init(self, std::shared_ptr<const config::limits>(ctx_, &ctx_->limits));
  hub_.init([this] {
    auto hub = std::make_unique<request_hub>(
        self_, name_of(), ctx_->behaviors, ctx_->limits,
        [this](codec::frame&& f) { emit(f); });
    hub->set_session(id_.session_id, id_.session, id_.info);
    hub->limit_session_rate(ctx_->rates);
    hub->count_into(ctx_->counts);
    hub->on_idle = [this] {
      if (freezing_)
        hand_over();
      else if (drain_.active())
        release_connection(true, codec::close_code::going_away,
                           drain::closing_text);
    };
    return hub;
  });
  self->monitor(id_.session);
  if (origin.record)
    restore(origin);
  else
    save();
}

void line_state::restore(const line_origin& origin) {
  const auto& r = *origin.record;
  generation_ = r.generation;
  acked_ = r.acked;
  next_seq_ = r.next_seq;
  broken_ = r.broken;
  detached_since_ms_ =
      r.detached_since_ms != 0 ? r.detached_since_ms : origin.lost_at_ms;
  auto now_ms = store::unix_ms();
  auto away = std::chrono::milliseconds{
      now_ms > detached_since_ms_ ? now_ms - detached_since_ms_ : 0};
  detached_since_ = clock::now() - away;
  for (const auto& k : r.kept) {
    auto bytes = transport::make_shared_bytes(k.bytes);
    if (origin.imported)
      ctx_->store.save(self_, store::keep_frame{id_.session_id, id_.number,
                                                k.seq, k.counted, k.answers,
                                                k.request_id, bytes});
    outbox_bytes_ += bytes->size();
    counted_frames_ += k.counted ? 1 : 0;
    outbox_.push_back({k.seq, std::move(bytes), k.counted});
    if (k.answers)
      answered_[k.request_id] = k.seq;
  }
  if (!origin.clean) {
    after_crash_ = true;
    // Frames below the reserved limit may have reached the client and
    // not the store: a resume of this line can only be told so.
    if (r.seq_limit > next_seq_) {
      next_seq_ = r.seq_limit;
      break_line();
    }
  }
  if (ctx_->store.enabled())
    seq_limit_ = next_seq_;
  // The node that kept these frames may have written them: a `latest`
  // leaves them as they are.
  written_max_ = next_seq_ - 1;
  save();
  auto ttl = std::chrono::seconds{ctx_->limits.session_ttl_s};
  auto left = ttl > away ? ttl - away : decltype(ttl - away){0};
  self_->delayed_send(self_, left, tick_atom::value);
}

store::put_line line_state::saved_fields() const {
  store::put_line x;
  x.session = id_.session_id;
  x.number = id_.number;
  x.generation = generation_;
  x.acked = acked_;
  x.seq_limit = seq_limit_ == UINT64_MAX ? next_seq_ : seq_limit_;
  x.broken = broken_;
  x.detached_since_ms = connection_ ? 0 : detached_since_ms_;
  return x;
}

void line_state::save() const {
  if (!ending_)
    ctx_->store.save(self_, saved_fields());
}

void line_state::reserve() {
  if (reserving_ || !ctx_->store.enabled() ||
      next_seq_ + ctx_->seq_block / 2 <= seq_limit_)
    return;
  reserving_ = true;
  auto change = saved_fields();
  auto limit = next_seq_ + ctx_->seq_block;
  change.seq_limit = limit;
  auto done = [this, limit] {
    reserving_ = false;
    raise_limit(limit);
  };
  self_
      ->request(ctx_->store.actor(), std::chrono::seconds{30},
                reserve_atom::value, store::change{std::move(change)})
      .then([done](bool) { done(); },
            [this, done](const caf::error& err) {
              TETHER_LOG(warning, "line",
                         name_of() << ": the store did not reserve seqs ("
                                   << caf::to_string(err) << ")");
              done();
            });
}

void line_state::raise_limit(uint64_t limit) {
  auto from = seq_limit_;
  if (limit <= from)
    return;
  seq_limit_ = limit;
  // The frames that waited for the reservation go now, in order.
  pump();
  out_.flush();
  arm_settle(ctx_->store_settle);
  reserve();
}

void line_state::arm_settle(clock::duration delay) {
  if (settle_armed_)
    return;
  settle_armed_ = true;
  self_->delayed_send(self_, delay, settle_atom::value, next_seq_);
}

void line_state::on_settle(uint64_t) {
  settle_armed_ = false;
  if (reserving_ || seq_limit_ <= next_seq_)
    return;
  auto quiet = clock::now() - last_numbered_;
  if (quiet < ctx_->store_settle) // Still numbering: look again when due.
    return arm_settle(ctx_->store_settle - quiet);
  // Quiet: what the store knows of this line is now exact.
  seq_limit_ = next_seq_;
  save();
}

void line_state::break_line() {
  broken_ = true;
  outbox_.clear();
  latest_.clear();
  in_flight_bytes_ = 0;
  outbox_bytes_.set(0);
  counted_frames_ = 0;
  answered_.clear();
  out_.refuse_credit();
  ctx_->store.save(self_, store::drop_frames{id_.session_id, id_.number});
  save();
}

std::string line_state::name_of() const {
  return id_.session_id + "/" + std::to_string(id_.number);
}

// -- from the connection
// --------------------------------------------------------

void line_state::on_frames(client_frames& x) {
  // Moved: what the client sends now it sends again after its resume at
  // the new node (an unanswered request, an ACK).
  if (handed_over_)
    return;
  for (auto& f : x.frames) {
    bool go_on = std::visit(
        [this](auto& y) {
          using type = std::decay_t<decltype(y)>;
          if constexpr (std::is_same_v<type, codec::request> ||
                        std::is_same_v<type, codec::stream>) {
            constexpr bool streamed = std::is_same_v<type, codec::stream>;
            // Exactly once: a running or answered id is not run again; its
            // one answer is (or was) sent on this line. Checked before the
            // drain: RETRY would say it never ran.
            if (hub_.is_open(y.id) || answered_.count(y.id) > 0)
              return true;
            if (drain_.refuses(hub_, y.id))
              emit(drain::refusal(y.id));
            else
              hub_.get().request(y.id, std::move(y.op), std::move(y.payload),
                                 streamed);
          } else if constexpr (std::is_same_v<type, codec::ack>) {
            return acknowledge(y.seq);
          } else {
            hub_.get().take(y);
          }
          return true;
        },
        f);
    if (!go_on)
      return;
  }
}

caf::result<attach_result> line_state::on_attach(attach_request& req,
                                                 bool resume,
                                                 uint64_t generation,
                                                 uint64_t last_seq) {
  if (resume) {
    auto refused = [&](std::string code, std::string message) {
      // The session may have counted this line as attached: correct that.
      if (connection_)
        self_->send(id_.session, attached_atom::value, line_actor{self_});
      else
        self_->send(id_.session, detached_atom::value, line_actor{self_});
      return attach_refused(std::move(code), std::move(message));
    };
    // A token newer than the store knows was made in the last moments
    // before a crash: its frames cannot all be known.
    if (after_crash_ && generation > generation_)
      return refused("resume_gap", "the node lost this stream's last frames");
    // Whatever the reason, an unusable token gets the same answer.
    if (generation != generation_)
      return refused("stream_not_found", "no stream for this token");
    if (broken_ || last_seq < acked_)
      return refused("resume_gap", "frames after last_seq are no longer kept");
    if (last_seq >= next_seq_)
      return refused("resume_gap", "last_seq is ahead of the stream");
  }
  if (connection_ && connection_ != req.connection)
    release_connection(true, codec::close_code::replaced,
                       "another connection resumed this stream");
  connection_ = req.connection;
  // The socket stays on this node: the line finds it by connection id. A
  // connection gone meanwhile has none; its detach follows.
  if (auto b = ctx_->bridges->find(req.conn_id))
    out_.attach(std::move(b), false);
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
  out_.write_frame(reply);
  detached_since_ms_ = 0;
  save();
  // A resume replays what follows last_seq; a new attach starts after what
  // the stream numbered so far (SESSION's last_seq).
  next_write_ = resume ? last_seq + 1 : next_seq_;
  write_base_ = next_write_;
  in_flight_bytes_ = 0;
  written_max_ = std::max(written_max_, next_write_ - 1);
  awaiting_drain_ = false; // Another socket: it has not been asked.
  if (resume)
    acknowledge(last_seq);
  pump();
  out_.flush();
  reserve();
  self_->send(id_.session, attached_atom::value, line_actor{self_});
  TETHER_LOG(debug, "line",
             name_of() << (resume ? " resumed by " : " attached to ")
                       << req.conn_id);
  return attach_result{{}, {}, line_actor{self_}, {}};
}

line_state::~line_state() {
  // However the line ends (its session expired or failed, a kill), a
  // connection waiting for its SESSION_CLOSE hears of it: CAF 0.17 tells
  // a requester nothing when a promise dies undelivered.
  for (auto& p : close_waiters_)
    p.deliver(false);
}

void line_state::on_detach(const connection_actor& connection) {
  if (!connection_ || connection != connection_)
    return; // A connection this line already let go.
  self_->demonitor(connection_.address());
  connection_ = nullptr;
  out_.detach(); // What it held is kept in the outbox, for a resume.
  detached_since_ = clock::now();
  detached_since_ms_ = store::unix_ms();
  save();
  self_->send(id_.session, detached_atom::value, line_actor{self_});
  self_->delayed_send(self_, std::chrono::seconds{ctx_->limits.session_ttl_s},
                      tick_atom::value);
}

caf::result<bool> line_state::on_session_close(uint64_t request_id) {
  emit(codec::reply{request_id, codec::value::empty_map()});
  self_->send(id_.session, close_atom::value);
  // Answered once SESSION_CLOSED is out: the connection waits for that.
  auto promise = self_->make_response_promise<bool>();
  close_waiters_.push_back(promise);
  return promise;
}

// -- from behaviors and the session -------------------------------------------

void line_state::on_push(codec::signal&& x) {
  if (!handed_over_)
    return emit(x);
  pass_on(encoded_frame{transport::make_shared_bytes(codec::encode(x))});
}

void line_state::on_push(const encoded_frame& x) {
  if (handed_over_)
    return pass_on(x);
  if (x.delivery == delivery_class::drop && too_far_behind(x))
    return; // Never numbered: no gap, no resume_gap, no CLOSE 7.
  if (x.delivery == delivery_class::latest && replace_latest(x))
    return;
  auto seq = next_seq_;
  keep_and_send(*x.bytes, true);
  if (x.delivery == delivery_class::latest && next_seq_ > seq && !broken_ &&
      seq > written_max_)
    remember_latest(*x.latest_key, seq);
}

void line_state::on_drained() {
  awaiting_drain_ = false;
  pump();
}

bool line_state::too_far_behind(const encoded_frame& x) const {
  // The SEQ frame around it takes at most this many bytes more.
  constexpr size_t seq_header = 11;
  return outbox_.size() > ctx_->limits.lossy_after ||
         over_limits(true, x.bytes->size() + seq_header);
}

bool line_state::replace_latest(const encoded_frame& x) {
  auto i = latest_.find(*x.latest_key);
  if (i == latest_.end())
    return false;
  auto seq = i->second;
  if (seq <= written_max_ || outbox_.empty() || seq < outbox_.front().seq) {
    latest_.erase(i); // Written (or acknowledged) since: kept as it is.
    return false;
  }
  auto& kept = outbox_[seq - outbox_.front().seq];
  std::string bytes;
  codec::encode_seq(seq, *x.bytes, bytes);
  auto shared = transport::make_shared_bytes(std::move(bytes));
  outbox_bytes_ -= kept.bytes->size();
  outbox_bytes_ += shared->size();
  kept.bytes = shared;
  if (ctx_->store.enabled() && !ending_)
    ctx_->store.save(self_, store::keep_frame{id_.session_id, id_.number, seq,
                                              kept.counted, false, 0, shared});
  return true;
}

void line_state::remember_latest(const std::string& key, uint64_t seq) {
  if (latest_.size() >= latest_sweep_at_) {
    // Keys that were written since need no entry: the map stays as small
    // as the frames that wait.
    auto first = outbox_.empty() ? next_seq_ : outbox_.front().seq;
    for (auto i = latest_.begin(); i != latest_.end();)
      if (i->second <= written_max_ || i->second < first)
        i = latest_.erase(i);
      else
        ++i;
    latest_sweep_at_ = std::max<size_t>(64, 2 * latest_.size());
  }
  latest_[key] = seq;
}

void line_state::pass_on(encoded_frame bytes) {
  // Moving, or moved: the line of the new node numbers it.
  if (successor_)
    return self_->send(successor_, push_atom::value, std::move(bytes));
  held_.push_back(std::move(bytes));
}

caf::result<client_answer> line_state::on_call(codec::request&& x) {
  return hub_.get().call(std::move(x));
}

caf::result<uint64_t> line_state::on_credit(uint64_t wanted) {
  if (broken_)
    return uint64_t{0}; // Whatever is sent now is dropped: stop the sender.
  if (handed_over_) {
    // Moving: the new line answers, once known.
    if (successor_)
      return self_->delegate(successor_, credit_atom::value, wanted);
    auto promise = self_->make_response_promise<uint64_t>();
    held_credit_.emplace_back(wanted, promise);
    return promise;
  }
  return out_.credit(wanted, kept());
}

void line_state::on_stall(uint64_t epoch) {
  if (out_.on_stall(epoch) && connection_)
    release_connection(true, codec::close_code::slow_consumer,
                       "slow consumer: no ACK for 3 heartbeat intervals, " +
                           std::to_string(outbox_.size()) +
                           " frames unacknowledged");
}

void line_state::on_session_closed() {
  ending_ = true; // The store has forgotten the session.
  // Every open request gets its one answer before the line goes.
  hub_.fail_open("cancelled", "the session was closed");
  emit(codec::session_closed{"closed"});
  hub_.abandon();
  release_connection(false, codec::close_code::normal, {});
  for (auto& p : std::exchange(close_waiters_, {}))
    p.deliver(true);
  out_.refuse_credit();
  self_->quit();
}

void line_state::on_drain() {
  if (drain_.begin(self_, hub_,
                   std::chrono::milliseconds{ctx_->limits.shutdown_grace_ms}))
    release_connection(true, codec::close_code::going_away,
                       drain::closing_text);
}

void line_state::on_grace() {
  drain_.on_grace(hub_);
}

void line_state::on_tick() {
  if (ending_ && handed_over_) { // Moved: done passing things on.
    self_->quit();
    return;
  }
  auto ttl = std::chrono::seconds{ctx_->limits.session_ttl_s};
  if (!connection_ && clock::now() - detached_since_ >= ttl) {
    TETHER_LOG(debug, "line", name_of() << " expired");
    ctx_->store.save(self_, store::drop_line{id_.session_id, id_.number});
    hub_.abandon();
    out_.refuse_credit();
    self_->quit();
  }
}

void line_state::on_down(const caf::down_msg& msg) {
  if (connection_ && msg.source == connection_.address())
    return on_detach(connection_);
  if (msg.source != id_.session.address())
    return hub_.behavior_down(msg);
  if (ending_ && handed_over_)
    return; // Moved: the session ended here, the line passes things on.
  // The session is gone without closing its lines (it failed, or the
  // node stops): what is saved of it stays as it is.
  ending_ = true;
  emit(codec::session_closed{"ended"});
  hub_.abandon();
  release_connection(false, codec::close_code::normal, {});
  out_.refuse_credit();
  self_->quit();
}

// -- migration ----------------------------------------------------------------

caf::result<records::line_record> line_state::on_freeze() {
  auto promise = self_->make_response_promise<records::line_record>();
  freezing_ = promise;
  if (drain_.begin(self_, hub_,
                   std::chrono::milliseconds{ctx_->limits.shutdown_grace_ms}))
    hand_over();
  return promise;
}

void line_state::hand_over() {
  auto promise = std::move(*freezing_);
  freezing_.reset();
  out_.flush();
  handed_over_ = true;
  promise.deliver(record());
}

records::line_record line_state::record() const {
  records::line_record r;
  r.number = id_.number;
  r.generation = generation_;
  r.next_seq = next_seq_;
  r.acked = acked_;
  r.seq_limit = next_seq_;
  r.broken = broken_;
  // The client's connection ends with the move: from now on its TTL runs.
  r.detached_since_ms = connection_ ? store::unix_ms() : detached_since_ms_;
  std::unordered_map<uint64_t, uint64_t> answer_of;
  for (const auto& [request, seq] : answered_)
    answer_of[seq] = request;
  outbox_.for_each([&](const kept_frame& k) {
    auto i = answer_of.find(k.seq);
    r.kept.push_back(records::kept_frame{k.seq, k.counted, i != answer_of.end(),
                                         i != answer_of.end() ? i->second : 0,
                                         *k.bytes});
  });
  return r;
}

void line_state::on_moved(const std::string& url, const session_actor& there) {
  ending_ = true; // The store drops the whole session.
  release_connection(true, codec::close_code::going_away,
                     "the session moved to another node", url);
  hub_.abandon();
  out_.refuse_credit();
  // Behaviors may still push to this line (a paced sys.push): for a while
  // it passes that on to its successor, then ends.
  self_->delayed_send(self_, forwarding_time, tick_atom::value);
  self_->request(there, std::chrono::seconds{5}, line_atom::value, id_.number)
      .then(
          [this](const line_actor& next) {
            if (!next)
              return drop_held();
            successor_ = next;
            for (auto& bytes : std::exchange(held_, {}))
              self_->send(successor_, push_atom::value, std::move(bytes));
            for (auto& [wanted, promise] : std::exchange(held_credit_, {}))
              promise.delegate(successor_, credit_atom::value, wanted);
          },
          [this](const caf::error&) { drop_held(); });
}

void line_state::drop_held() {
  if (!held_.empty())
    TETHER_LOG(warning, "line",
               name_of() << ": " << held_.size()
                         << " frames pushed during its move had nowhere to go");
  held_.clear();
  for (auto& [wanted, promise] : std::exchange(held_credit_, {}))
    promise.deliver(uint64_t{0});
  self_->quit();
}

caf::result<bool> line_state::saved() {
  auto promise = self_->make_response_promise<bool>();
  ctx_->store.after_saved(self_,
                          [promise]() mutable { promise.deliver(true); });
  return promise;
}

void line_state::on_thaw() {
  handed_over_ = false;
  drain_.end();
  // What waited for the move is this line's again.
  for (auto& x : std::exchange(held_, {}))
    on_push(x);
  // Asked again, as if now: the outlet answers them in turn.
  for (auto& [wanted, promise] : std::exchange(held_credit_, {}))
    promise.delegate(line_actor{self_}, credit_atom::value, wanted);
}

// -- the outbox
// -----------------------------------------------------------------

void line_state::emit(const codec::frame& x) {
  // The final answer to a request: remembered until acknowledged, so that a
  // re-sent request is not run again.
  bool refusal = false;
  bool final = false;
  uint64_t answers = 0;
  std::visit(
      [&](const auto& y) {
        using type = std::decay_t<decltype(y)>;
        if constexpr (std::is_same_v<type, codec::reply> ||
                      std::is_same_v<type, codec::error>) {
          final = true;
          answers = y.id;
        } else if constexpr (std::is_same_v<type, codec::result_part>) {
          final = y.last;
          answers = y.id;
        } else if constexpr (std::is_same_v<type, codec::retry>) {
          refusal = true;
        }
      },
      x);
  if (final && !broken_)
    answered_[answers] = next_seq_;
  // Refusals answer requests over the client's limits at once, as many as
  // one inbound message holds, before the client can acknowledge any: they
  // count against the outbox's bytes (which one message cannot fill), not
  // its frames, or a burst of them would close a client that reads.
  keep_and_send(codec::encode(x), !refusal, final, answers);
}

void line_state::keep_and_send(std::string_view inner, bool counted, bool final,
                               uint64_t answers) {
  if (broken_ || handed_over_)
    return;
  auto seq = next_seq_++;
  last_numbered_ = clock::now();
  std::string bytes;
  codec::encode_seq(seq, inner, bytes);
  bool over = over_limits(counted, bytes.size());
  if (over && !connection_) {
    // Nobody reads and nothing more fits: this frame is lost, so the line
    // can no longer be resumed without a gap. Free what it kept.
    TETHER_LOG(info, "line",
               name_of() << " overflowed while detached: frames dropped");
    break_line();
    return;
  }
  auto shared = transport::make_shared_bytes(std::move(bytes));
  outbox_bytes_ += shared->size();
  counted_frames_ += counted ? 1 : 0;
  outbox_.push_back({seq, shared, counted});
  if (ctx_->store.enabled() && !ending_)
    ctx_->store.save(self_, store::keep_frame{id_.session_id, id_.number, seq,
                                              counted, final, answers, shared});
  pump();
  reserve();
  if (over)
    release_connection(true, codec::close_code::slow_consumer,
                       "slow consumer: " + std::to_string(outbox_.size()) +
                           " frames unacknowledged (" +
                           std::to_string(outbox_bytes_.bytes()) + " bytes)");
}

bool line_state::acknowledge(uint64_t seq) {
  if (seq >= next_seq_) {
    // Acknowledging what was never sent would let frames go unread.
    release_connection(true, codec::close_code::invalid_message,
                       "ACK of seq " + std::to_string(seq) +
                           ", beyond the last frame sent (" +
                           std::to_string(next_seq_ - 1) + ")");
    return false;
  }
  if (seq <= acked_)
    return true; // Old news: an ACK never takes one back.
  acked_ = seq;
  ctx_->store.save(self_, store::ack_frames{id_.session_id, id_.number, seq});
  while (!outbox_.empty() && outbox_.front().seq <= seq) {
    auto s = outbox_.front().seq;
    if (s >= write_base_ && s < next_write_)
      in_flight_bytes_ -= outbox_.front().bytes->size();
    outbox_bytes_ -= outbox_.front().bytes->size();
    counted_frames_ -= outbox_.front().counted ? 1 : 0;
    outbox_.pop_front();
  }
  for (auto i = answered_.begin(); i != answered_.end();) {
    if (i->second <= seq)
      i = answered_.erase(i);
    else
      ++i;
  }
  out_.settle(kept());
  pump(); // The socket's window has room again.
  return true;
}

bool line_state::over_limits(bool counted, size_t bytes) const {
  const auto& lim = ctx_->limits;
  // A client that acknowledges what it never read still fills its socket.
  return (counted && counted_frames_ + 1 > lim.max_outbox_frames) ||
         outbox_bytes_.bytes() + bytes > lim.max_outbox_bytes ||
         out_.overflowing() || over_node_budget(bytes);
}

bool line_state::over_node_budget(size_t bytes) const {
  // Past the node's budget, only a stream that is behind pays: one that
  // reads in good health keeps a few `ack_every` frames, far below either
  // mark, and the slow ones free what they keep when they break.
  const auto& lim = ctx_->limits;
  return outbox_bytes_.node_over(bytes) &&
         (counted_frames_ > lim.lossy_after ||
          outbox_bytes_.bytes() + bytes > lim.max_outbox_bytes / 8);
}

uint64_t line_state::write_window() const {
  // A quarter of the outbox, as the credit budget: the rest waits here,
  // where a `latest` can still replace it. A client acknowledges at least
  // every ack_every frames, so two of those never stall one that reads.
  const auto& lim = ctx_->limits;
  return std::max(2 * lim.ack_every, lim.max_outbox_frames / 4);
}

void line_state::pump(bool everything) {
  if (!connection_ || !out_.attached() || outbox_.empty())
    return;
  auto first = outbox_.front().seq;
  next_write_ = std::max(next_write_, first);
  auto end = std::min(next_seq_, seq_limit_);
  auto window = everything ? UINT64_MAX : write_window();
  // What is written and not acknowledged may sit in the kernel's buffers,
  // which the backlog does not see: at most half the outbox's bytes, so
  // that the other half holds what waits.
  auto bytes = everything ? UINT64_MAX : ctx_->limits.max_outbox_bytes / 2;
  while (next_write_ < end) {
    if (next_write_ - first >= window || in_flight_bytes_ >= bytes)
      return; // The next ACK pumps again.
    if (!everything && out_.backlog() >= out_.low_water()) {
      if (!awaiting_drain_) {
        awaiting_drain_ = true;
        out_.notify_when_drained();
      }
      return;
    }
    const auto& frame = outbox_[next_write_ - first].bytes;
    in_flight_bytes_ += frame->size();
    out_.write(frame);
    written_max_ = std::max(written_max_, next_write_);
    ++next_write_;
  }
}

void line_state::release_connection(bool close, codec::close_code code,
                                    const std::string& message,
                                    const std::string& redirect) {
  if (!connection_)
    return;
  // A connection that stays open (its session ended) gets every frame
  // first; one closed resumes, and gets them then.
  if (!close)
    pump(true);
  // What waits reaches the socket before the connection's CLOSE.
  out_.flush();
  if (close)
    self_->send(connection_, close_atom::value, static_cast<uint64_t>(code),
                message, redirect);
  else
    self_->send(connection_, released_atom::value);
  on_detach(connection_);
}

// -- spawning ----------------------------------------------------------------

line_actor spawn_line(caf::actor_system& sys,
                      std::shared_ptr<const session_context> ctx,
                      line_identity id, line_origin origin) {
  return sys.spawn([ctx, id, origin](
                       line_state::pointer self) -> line_actor::behavior_type {
    self->state.init(self, ctx, id, origin);
    auto done = [self] { self->state.end_of_handler(); };
    return outlet_behavior<line_actor>(
        self,
        [self, done](client_frames& x) {
          self->state.on_frames(x);
          done();
        },
        [self](attach_atom, attach_request& req, bool resume, uint64_t gen,
               uint64_t last_seq) {
          return self->state.on_attach(req, resume, gen, last_seq);
        },
        [self](detach_atom, const connection_actor& conn) {
          self->state.on_detach(conn);
        },
        [self, done](end_atom, uint64_t request_id) {
          auto result = self->state.on_session_close(request_id);
          done();
          return result;
        },
        [self](closed_atom) { self->state.on_session_closed(); },
        [self, done](push_atom, const encoded_frame& x) {
          self->state.on_push(x);
          done();
        },
        [self, done](drained_atom) {
          self->state.on_drained();
          done();
        },
        [self](tick_atom) { self->state.on_tick(); },
        [self](settle_atom, uint64_t epoch) { self->state.on_settle(epoch); },
        [self](freeze_atom) { return self->state.on_freeze(); },
        [self](moved_atom, const std::string& url, const caf::actor& there) {
          self->state.on_moved(url, caf::actor_cast<session_actor>(there));
        },
        [self](thaw_atom) { self->state.on_thaw(); },
        [self](saved_atom) { return self->state.saved(); });
  });
}

} // namespace tether
