#include "tether/transport/poll_channel.hpp"

#include <algorithm>

#include "tether/transport/poll_registry.hpp"

namespace tether::transport {

poll_channel::poll_channel(net::any_io_executor executor, const settings& cfg,
                           std::string remote, std::string token,
                           admission::ticket ticket)
    : strand_(net::make_strand(std::move(executor))), cfg_(cfg),
      remote_(std::move(remote)), token_(std::move(token)),
      ticket_(std::move(ticket)), wait_timer_(strand_), idle_timer_(strand_),
      last_heard_(std::chrono::steady_clock::now()) {}

poll_channel::~poll_channel() = default;

// -- the client's requests ----------------------------------------------------

void poll_channel::open(handler_factory make_handler, uint64_t number,
                        std::string frames, std::chrono::milliseconds wait,
                        poll_reply reply) {
  net::post(strand_,
            [self = shared_from_this(), make_handler = std::move(make_handler),
             number, frames = std::move(frames), wait,
             reply = std::move(reply)]() mutable {
              self->arm_idle_timer();
              self->handler_ = make_handler(self, number);
              self->handler_->on_message(std::move(frames), true);
              ++self->unhandled_;
              // As a GET: the answer is the first thing the connection says.
              self->take(wait, std::move(reply));
            });
}

void poll_channel::deliver(std::string frames, poll_reply reply) {
  net::post(strand_, [self = shared_from_this(), frames = std::move(frames),
                      reply = std::move(reply)]() mutable {
    if (self->finished_ || !self->handler_)
      return reply({404, "this poll connection has ended\n"});
    self->touch();
    // After the node's CLOSE the connection reads nothing more, as a
    // WebSocket would not.
    if (self->closing_)
      return reply({204, {}});
    // A client waits for each POST's answer before the next: one that
    // does not gets no more in while its frames wait unhandled.
    if (!self->parked_.empty())
      return reply({429, "the previous POST is not answered yet\n"});
    self->handler_->on_message(std::move(frames), true);
    if (++self->unhandled_ < static_cast<size_t>(self->cfg_.max_unhandled))
      return reply({204, {}});
    self->parked_.push_back(std::move(reply));
  });
}

void poll_channel::take(std::chrono::milliseconds wait, poll_reply reply) {
  net::post(strand_, [self = shared_from_this(), wait,
                      reply = std::move(reply)]() mutable {
    if (self->finished_)
      return reply({404, "this poll connection has ended\n"});
    self->touch();
    if (self->handler_)
      self->handler_->on_polled();
    // One GET waits at a time: the older one goes home empty.
    if (self->waiting_)
      self->end_wait({204, {}});
    self->waiting_ = std::move(reply);
    if (!self->queue_.empty())
      return self->answer_waiting();
    auto number = ++self->wait_number_;
    self->wait_timer_.expires_after(wait);
    self->wait_timer_.async_wait([self, number](error_code ec) {
      if (!ec && number == self->wait_number_ && self->waiting_)
        self->end_wait({204, {}});
    });
  });
}

void poll_channel::too_large() {
  net::post(strand_, [self = shared_from_this()] {
    if (self->handler_ && !self->finished_ && !self->closing_)
      self->handler_->on_too_large();
  });
}

// -- waiting ------------------------------------------------------------------

void poll_channel::touch() {
  last_heard_ = std::chrono::steady_clock::now();
}

std::chrono::milliseconds poll_channel::idle_limit() const {
  // While closing, the CLOSE waits for one more GET: not long once the
  // node drains (its drain waits for every connection to end).
  return closing_ && cfg_.draining->load(std::memory_order_relaxed)
             ? cfg_.close_timeout
             : cfg_.idle_timeout;
}

void poll_channel::arm_idle_timer() {
  auto at = last_heard_ + idle_limit();
  // A CLOSE waiting for its GET looks again every close_timeout: a drain
  // begun meanwhile shortens its wait.
  if (closing_)
    at = std::min(at, std::chrono::steady_clock::now() + cfg_.close_timeout);
  idle_timer_.expires_at(at);
  idle_timer_.async_wait(
      beast::bind_front_handler(&poll_channel::on_idle, shared_from_this()));
}

void poll_channel::on_idle(error_code ec) {
  if (ec || finished_)
    return;
  auto now = std::chrono::steady_clock::now();
  // A waiting GET is the client's presence; the node answers it within a
  // heartbeat interval.
  if (waiting_)
    last_heard_ = now;
  if (now < last_heard_ + idle_limit())
    return arm_idle_timer();
  finish(closing_ ? "its CLOSE was never fetched"
                  : "no request for " +
                        std::to_string(cfg_.idle_timeout.count()) + " ms");
}

void poll_channel::answer_waiting() {
  answer_posted_ = false;
  if (!waiting_ || queue_.empty())
    return;
  end_wait({200, take_queue()});
  // The CLOSE went out with this answer: the connection ends.
  if (closing_)
    finish("closed");
}

void poll_channel::end_wait(poll_answer a) {
  ++wait_number_;
  wait_timer_.cancel();
  auto reply = std::move(waiting_);
  waiting_ = nullptr;
  reply(std::move(a));
  touch();
  if (handler_)
    handler_->on_polled();
}

std::string poll_channel::take_queue() {
  std::string batch;
  batch.reserve(queued_bytes_);
  for (auto& message : queue_.take())
    batch += *message;
  retired_.add(queued_bytes_);
  queued_bytes_ = 0;
  if (drained_mark_ > 0) {
    drained_mark_ = 0;
    if (handler_)
      handler_->on_drained();
  }
  return batch;
}

// -- channel ------------------------------------------------------------------

void poll_channel::send(shared_bytes message) {
  net::post(strand_, [self = shared_from_this(),
                      message = std::move(message)]() mutable {
    if (self->closing_)
      return self->retired_.add(message->size());
    self->queued_bytes_ += message->size();
    self->queue_.push_back(std::move(message));
    // Answered after the sends already posted, which join this batch.
    if (self->waiting_ && !self->answer_posted_) {
      self->answer_posted_ = true;
      net::post(self->strand_, [self] { self->answer_waiting(); });
    }
  });
}

void poll_channel::close(shared_bytes last) {
  net::post(strand_,
            [self = shared_from_this(), last = std::move(last)]() mutable {
              if (self->closing_) {
                if (last)
                  self->retired_.add(last->size());
                return;
              }
              self->closing_ = true;
              // No CLOSE of the node's (the client sent its own, or the actor
              // failed): nobody waits for what is queued.
              if (!last)
                return self->finish("closed");
              self->queued_bytes_ += last->size();
              self->queue_.push_back(std::move(last));
              for (auto& reply : std::exchange(self->parked_, {}))
                reply({204, {}});
              if (self->waiting_)
                return self->answer_waiting();
              self->arm_idle_timer();
            });
}

void poll_channel::messages_handled(size_t n) {
  net::post(strand_, [self = shared_from_this(), n] {
    self->unhandled_ -= std::min(n, self->unhandled_);
    if (self->unhandled_ < static_cast<size_t>(self->cfg_.max_unhandled))
      for (auto& reply : std::exchange(self->parked_, {}))
        reply({204, {}});
  });
}

void poll_channel::notify_when_below(size_t bytes) {
  net::post(strand_, [self = shared_from_this(), bytes] {
    if (self->queued_bytes_ < bytes) {
      if (self->handler_)
        self->handler_->on_drained();
      return;
    }
    self->drained_mark_ = bytes;
  });
}

// -- the end ------------------------------------------------------------------

void poll_channel::finish(const std::string& reason) {
  if (finished_)
    return;
  finished_ = true;
  closing_ = true;
  wait_timer_.cancel();
  idle_timer_.cancel();
  if (cfg_.polls)
    cfg_.polls->remove(token_);
  if (waiting_)
    end_wait({204, {}});
  for (auto& reply : std::exchange(parked_, {}))
    reply({404, "this poll connection has ended\n"});
  retired_.add(queued_bytes_);
  queue_.take();
  queued_bytes_ = 0;
  ticket_ = {};
  if (auto handler = std::move(handler_))
    handler->on_closed(reason);
}

} // namespace tether::transport
