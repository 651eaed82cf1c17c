#include "tether/actors/outlet/outlet.hpp"

#include <algorithm>

#include <caf/send.hpp>

#include "tether/actors/interfaces.hpp"

namespace tether {

namespace {

/// The most frames one grant allows: a window that keeps the socket busy
/// between two credit round trips.
constexpr uint64_t max_grant = 256;

outlet_actor handle_of(caf::scheduled_actor* self) {
  return caf::actor_cast<outlet_actor>(self);
}

} // namespace

void outlet::init(caf::scheduled_actor* self,
                  std::shared_ptr<const config::limits> limits) {
  self_ = self;
  limits_ = std::move(limits);
}

// -- the socket ---------------------------------------------------------------

void outlet::attach(std::shared_ptr<bridge> b, bool notify) {
  bridge_ = std::move(b);
  notify_ = notify;
}

void outlet::detach() {
  flush();
  bridge_ = nullptr;
  single_ = nullptr;
  batch_.clear();
  pending_frames_ = 0;
}

// -- writing ------------------------------------------------------------------

void outlet::write(transport::shared_bytes frame) {
  if (closed_ || !bridge_)
    return;
  spill_single();
  if (!batch_.empty() &&
      batch_.size() + frame->size() > limits_->batch_max_bytes)
    flush();
  if (batch_.empty())
    single_ = std::move(frame); // Alone so far: held, not copied.
  else
    batch_ += *frame;
  wrote_frame();
}

void outlet::spill_single() {
  if (!single_)
    return;
  batch_ += *single_;
  single_ = nullptr;
}

void outlet::wrote_frame() {
  ++pending_frames_;
  if (reserved_ > 0)
    --reserved_;
  auto pending = single_ ? single_->size() : batch_.size();
  if (pending >= limits_->batch_max_bytes)
    flush();
}

void outlet::end_of_handler() {
  if (!single_ && batch_.empty())
    return;
  if (self_->mailbox().empty())
    return flush();
  if (!flush_scheduled_) {
    // Behind the messages now waiting: whatever they add joins this one.
    flush_scheduled_ = true;
    caf::anon_send(handle_of(self_), flush_atom::value);
  }
}

void outlet::on_flush() {
  flush_scheduled_ = false;
  flush();
}

void outlet::flush() {
  if (!bridge_ || closed_)
    return;
  if (single_)
    bridge_->send(std::move(single_), pending_frames_);
  else if (!batch_.empty())
    bridge_->send(transport::make_shared_bytes(std::move(batch_)),
                  pending_frames_);
  single_ = nullptr;
  batch_.clear();
  pending_frames_ = 0;
}

void outlet::close(codec::close_code code, const std::string& message,
                   const std::string& redirect) {
  if (closed_)
    return;
  if (bridge_) {
    spill_single();
    codec::encode_one(
        codec::close{static_cast<uint64_t>(code), message, redirect}, batch_);
    if (auto counts = bridge_->counts();
        counts && static_cast<size_t>(code) < counts->closes.size())
      counts->closes[static_cast<size_t>(code)].add();
    bridge_->close(transport::make_shared_bytes(std::move(batch_)),
                   pending_frames_ + 1);
    batch_.clear();
    pending_frames_ = 0;
  }
  closed_ = true;
  refuse_credit();
}

uint64_t outlet::backlog() const {
  auto pending = single_ ? single_->size() : batch_.size();
  return (bridge_ ? bridge_->backlog() : 0) + pending;
}

// -- credit -------------------------------------------------------------------

uint64_t outlet::grant(uint64_t wanted, kept_load kept) {
  const auto& lim = *limits_;
  auto frame_budget = std::max<uint64_t>(1, lim.max_outbox_frames / 4);
  auto byte_budget = low_water();
  auto used = kept.frames + reserved_;
  if (used >= frame_budget || kept.bytes >= byte_budget ||
      backlog() >= byte_budget)
    return 0;
  auto n = std::min({wanted, max_grant, frame_budget - used});
  reserved_ += n;
  return n;
}

caf::result<uint64_t> outlet::credit(uint64_t wanted, kept_load kept) {
  if (closed_ || wanted == 0)
    return uint64_t{0};
  // Waiting senders go first: a newcomer must not starve them.
  if (waiters_.empty())
    if (auto n = grant(wanted, kept))
      return n;
  auto promise = self_->make_response_promise<uint64_t>();
  waiters_.emplace_back(promise, wanted);
  if (waiters_.size() == 1) {
    if (notify_)
      notify_when_drained();
    arm_stall_timer();
  }
  return promise;
}

void outlet::settle(kept_load kept) {
  ++epoch_;
  // Grants a stopped sender left unused would block credit for good: once
  // nothing is kept, what is still reserved is at most one window each.
  if (kept.frames == 0)
    reserved_ = 0;
  size_t served = 0;
  while (served < waiters_.size()) {
    auto& w = waiters_[served];
    auto n = grant(w.second, kept);
    if (n == 0)
      break;
    w.first.deliver(n);
    ++served;
  }
  waiters_.erase(waiters_.begin(), waiters_.begin() + served);
  if (waiters_.empty())
    return;
  if (notify_)
    notify_when_drained();
  arm_stall_timer();
}

void outlet::refuse_credit() {
  for (auto& w : std::exchange(waiters_, {}))
    w.first.deliver(uint64_t{0});
  reserved_ = 0;
}

void outlet::arm_stall_timer() {
  if (stall_timer_)
    return;
  stall_timer_ = true;
  caf::delayed_anon_send(handle_of(self_),
                         std::chrono::milliseconds{3 * limits_->heartbeat_ms},
                         stall_atom::value, epoch_);
}

bool outlet::on_stall(uint64_t epoch) {
  stall_timer_ = false;
  if (waiters_.empty())
    return false;
  if (epoch == epoch_)
    return true;
  arm_stall_timer(); // Progress since: watch the next three intervals.
  return false;
}

} // namespace tether
