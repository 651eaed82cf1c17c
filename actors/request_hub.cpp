#include "tether/actors/request_hub.hpp"

#include <algorithm>

#include <caf/local_actor.hpp>
#include <caf/send.hpp>

#include "tether/actors/log.hpp"

namespace tether {

request_hub::request_hub(caf::local_actor* self, std::string conn_id,
                         std::shared_ptr<const behavior_registry> behaviors,
                         const config::limits& limits, emit_fn emit)
    : self_(self), conn_id_(std::move(conn_id)),
      behaviors_(std::move(behaviors)), limits_(limits),
      emit_(std::move(emit)) {
  if (limits_.request_rate != 0)
    rate_.emplace(static_cast<double>(limits_.request_rate),
                  static_cast<double>(limits_.request_burst != 0
                                          ? limits_.request_burst
                                          : limits_.request_rate));
}

uint64_t request_hub::rate_wait() {
  if (rate_)
    if (auto wait = rate_->take())
      return wait;
  if (session_rates_ && !session_id_.empty())
    return session_rates_->take(session_id_);
  return 0;
}

void request_hub::request(uint64_t id, std::string op, codec::value payload,
                          bool streamed) {
  if (open_.count(id) > 0) {
    // The id is still open: its one answer is on its way.
    TETHER_LOG(debug, "requests", conn_id_ << " duplicate request id " << id);
    return;
  }
  // Read only where it is counted: the clock costs on the hot path.
  auto started = counts_ ? clock::now() : clock::time_point{};
  auto refuse = [&](codec::retry x, striped_counter traffic::*why) {
    if (counts_)
      ((*counts_).*why).add();
    answer_client(std::move(x), started);
  };
  // Before anything runs: a refused request was not performed.
  if (auto wait = rate_wait(); wait != 0)
    return refuse(codec::retry{id, wait, "rate_limit"}, &traffic::rate_limited);
  if (auto fn = behaviors_->find_inline(op)) {
    if (streamed)
      return answer_client(
          codec::error{id, "invalid", "op '" + op + "' does not take streams"},
          started);
    return answer_client(answer_inline(*fn, context_for(id, op), payload),
                         started);
  }
  auto handler = behaviors_->find(op);
  if (!handler)
    return answer_client(
        codec::error{id, "unknown_op", "no op named '" + op + "'"}, started);
  if (streamed && open_streams_ >= limits_.max_streams)
    return refuse(codec::retry{id, limits_.retry_after_ms, "stream_limit"},
                  &traffic::stream_limited);
  if (!streamed && open_.size() - open_streams_ >= limits_.max_inflight)
    return refuse(codec::retry{id, limits_.retry_after_ms, "overloaded"},
                  &traffic::inflight_limited);
  auto ctx = context_for(id, op);
  // Watched only while it has requests of ours: a behavior serving every
  // client would otherwise hold one monitor per client, and each demonitor
  // scans them all (a drain of 10,000 sessions spent seconds there).
  if (watched_[handler->address()]++ == 0)
    self_->monitor(*handler);
  open_.emplace(id, open_request{*handler, ctx, streamed, false, 0, started});
  if (streamed) {
    ++open_streams_;
    caf::anon_send(*handler, open_atom::value, std::move(ctx),
                   std::move(payload));
  } else {
    caf::anon_send(*handler, invoke_atom::value, std::move(ctx),
                   std::move(payload));
  }
}

void request_hub::part(codec::stream_part&& x) {
  auto i = open_.find(x.id);
  if (i == open_.end() || !i->second.streamed || i->second.upload_done) {
    // Parts of a stream already answered (or cancelled) have nowhere to go.
    TETHER_LOG(debug, "requests",
               conn_id_ << " part of no open stream " << x.id);
    return;
  }
  auto& open = i->second;
  // A sender of revision 1 does not number its parts: each is the next.
  auto index = x.index != 0 ? x.index : open.parts + 1;
  if (index <= open.parts) {
    // Taken already: sent again after a resume.
    TETHER_LOG(debug, "requests",
               conn_id_ << " part " << index << " of stream " << x.id
                        << " again");
    return;
  }
  if (index != open.parts + 1) {
    caf::anon_send(open.handler, cancel_atom::value, open.ctx);
    answer_client(codec::error{x.id, "invalid",
                               "STREAM_PART " + std::to_string(index) +
                                   " after part " + std::to_string(open.parts) +
                                   ": parts were skipped"},
                  open.started);
    return close(x.id);
  }
  open.parts = index;
  open.upload_done = x.last;
  caf::anon_send(open.handler, part_atom::value, open.ctx, std::move(x.payload),
                 x.last);
}

void request_hub::cancel(uint64_t id) {
  auto i = open_.find(id);
  if (i == open_.end())
    return; // Answered already: nothing to withdraw.
  caf::anon_send(i->second.handler, cancel_atom::value, i->second.ctx);
  answer_client(codec::error{id, "cancelled", "cancelled by the client"},
                i->second.started);
  close(id);
}

void request_hub::signal(codec::signal&& x) {
  if (auto handler = behaviors_->find(x.name))
    caf::anon_send(*handler, signal_atom::value, context_for(0, x.name),
                   std::move(x.payload));
}

request_context request_hub::context_for(uint64_t id,
                                         const std::string& op) const {
  return request_context{caf::actor_cast<client_actor>(self_),
                         conn_id_,
                         id,
                         op,
                         session_id_,
                         session_,
                         session_info_};
}

void request_hub::answer_client(codec::frame&& x, clock::time_point started) {
  if (counts_) {
    std::visit(
        [this](const auto& f) {
          using type = std::decay_t<decltype(f)>;
          if constexpr (std::is_same_v<type, codec::error>)
            counts_->errors.add();
          else if constexpr (std::is_same_v<type, codec::retry>)
            counts_->retries.add();
          else // REPLY, or a stream's last RESULT_PART.
            counts_->replies.add();
        },
        x);
    counts_->request_duration.observe(clock::now() - started);
  }
  emit_(std::move(x));
}

template <class Frame> bool request_hub::pass_on(Frame&& x, bool completes) {
  auto i = open_.find(x.id);
  if (i == open_.end())
    return false; // Cancelled or cut off: the client has its answer.
  auto id = x.id;
  if (!completes) {
    emit_(std::forward<Frame>(x));
    return true;
  }
  answer_client(std::forward<Frame>(x), i->second.started);
  close(id);
  return true;
}

bool request_hub::answer(codec::reply&& x) {
  return pass_on(std::move(x), true);
}

bool request_hub::answer(codec::error&& x) {
  return pass_on(std::move(x), true);
}

bool request_hub::answer(codec::retry&& x) {
  return pass_on(std::move(x), true);
}

bool request_hub::answer(codec::result_part&& x) {
  auto last = x.last;
  return pass_on(std::move(x), last);
}

void request_hub::behavior_down(const caf::down_msg& msg) {
  watched_.erase(msg.source);
  std::vector<uint64_t> failed;
  for (auto& kv : open_)
    if (kv.second.handler.address() == msg.source)
      failed.push_back(kv.first);
  for (auto id : failed) {
    TETHER_LOG(error, "requests",
               conn_id_ << " op '" << open_[id].ctx.op
                        << "' failed: its behavior stopped ("
                        << caf::to_string(msg.reason) << ")");
    answer_client(codec::error{id, "internal", "the op failed"},
                  open_[id].started);
    close(id);
  }
}

void request_hub::fail_open(const std::string& code,
                            const std::string& message) {
  auto open = std::move(open_);
  open_.clear();
  open_streams_ = 0;
  for (auto& kv : open) {
    caf::anon_send(kv.second.handler, cancel_atom::value, kv.second.ctx);
    answer_client(codec::error{kv.first, code, message}, kv.second.started);
  }
  if (on_idle)
    on_idle();
}

void request_hub::abandon() {
  for (auto& kv : open_)
    caf::anon_send(kv.second.handler, cancel_atom::value, kv.second.ctx);
  // CAF keeps a monitor, and with it the memory of the actor that placed
  // it, until the monitored actor ends: behaviors live as long as the node.
  for (const auto& kv : watched_)
    self_->demonitor(kv.first);
  watched_.clear();
  open_.clear();
  open_streams_ = 0;
  for (auto& kv : calls_)
    kv.second.deliver(
        client_answer{false, {}, "closed", "the connection closed"});
  calls_.clear();
}

void request_hub::close(uint64_t id) {
  auto i = open_.find(id);
  if (i == open_.end())
    return;
  if (i->second.streamed)
    --open_streams_;
  auto w = watched_.find(i->second.handler.address());
  if (w != watched_.end() && --w->second == 0) {
    self_->demonitor(w->first);
    watched_.erase(w);
  }
  open_.erase(i);
  if (open_.empty() && on_idle)
    on_idle();
}

caf::result<client_answer> request_hub::call(codec::request&& x) {
  if (calls_.size() >= limits_.max_inflight)
    return client_answer{
        false, {}, "overloaded", "too many requests open to this client"};
  x.id = next_call_id_++;
  auto promise = self_->make_response_promise<client_answer>();
  calls_.emplace(x.id, promise);
  emit_(std::move(x));
  return promise;
}

void request_hub::client_answered(uint64_t id, client_answer answer) {
  auto i = calls_.find(id);
  if (i == calls_.end())
    return; // Not a request of ours, or its caller gave up.
  i->second.deliver(std::move(answer));
  calls_.erase(i);
}

double request_hub::busy() const {
  auto ratio = [](double used, double limit) {
    return limit > 0 ? std::min(1.0, used / limit) : 0.0;
  };
  return std::max(ratio(static_cast<double>(open_.size() - open_streams_),
                        static_cast<double>(limits_.max_inflight)),
                  ratio(static_cast<double>(open_streams_),
                        static_cast<double>(limits_.max_streams)));
}

} // namespace tether
