#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "tether/containers/lazy_queue.hpp"
#include "tether/transport/admission.hpp"
#include "tether/transport/beast.hpp"
#include "tether/transport/channel.hpp"
#include "tether/transport/handler_factory.hpp"
#include "tether/transport/retired_count.hpp"
#include "tether/transport/settings.hpp"

namespace tether::transport {

/// What a long poll is answered: 200 with a batch of frames, 204 with
/// nothing, or another status with a short text.
struct poll_answer {
  unsigned status = 204;
  std::string body;
};

using poll_reply = std::function<void(poll_answer)>;

/// One poll connection: the `channel` of a connection actor whose client
/// speaks through HTTP requests instead of a WebSocket. What the actor
/// sends waits here until a GET takes all of it at once; what the client
/// POSTs is delivered as one WebSocket message would be. The actor, its
/// bridge and its outlet cannot tell the difference, so the write side's
/// limits hold alike: bytes wait here until a GET takes them, which is
/// the backlog a slow consumer is closed for (CLOSE 7).
///
/// All state lives on its own strand, as a WebSocket's does on its
/// socket's executor; the HTTP requests of the connection arrive on any
/// I/O thread and only post there. Replies are called on the strand.
class poll_channel : public channel,
                     public std::enable_shared_from_this<poll_channel> {
 public:
  /// `token` is the random end of the connection's id; `ticket` counts
  /// the connection in while it lives.
  poll_channel(net::any_io_executor executor, const settings& cfg,
               std::string remote, std::string token, admission::ticket ticket);
  ~poll_channel() override;

  poll_channel(const poll_channel&) = delete;
  poll_channel& operator=(const poll_channel&) = delete;

  const std::string& token() const { return token_; }

  // -- the client's requests --------------------------------------------------

  /// `POST /poll`: makes the connection's handler, delivers `frames` (HELLO
  /// first) and replies with the first frames the connection sends
  /// (WELCOME, or CLOSE), within `wait`.
  void open(handler_factory make_handler, uint64_t number, std::string frames,
            std::chrono::milliseconds wait, poll_reply reply);

  /// `POST /poll/CONN`: delivers `frames`; 204 once the connection may take
  /// more (at once unless it has too many unhandled).
  void deliver(std::string frames, poll_reply reply);

  /// `GET /poll/CONN`: 200 with everything waiting, as soon as anything
  /// is; 204 after `wait`, or once a newer GET arrives.
  void take(std::chrono::milliseconds wait, poll_reply reply);

  /// A POST over `max_message`: the connection closes with CLOSE 4.
  void too_large();

  // -- channel ----------------------------------------------------------------

  void send(shared_bytes message) override;
  void close(shared_bytes last) override;
  uint64_t retired_bytes() const override { return retired_.get(); }
  void messages_handled(size_t n) override;
  void notify_when_below(size_t bytes) override;
  const std::string& remote() const override { return remote_; }
  std::string id_suffix() const override { return "." + token_; }

 private:
  /// The client did something: the connection is not idle.
  void touch();
  /// Silence after which the connection ends.
  std::chrono::milliseconds idle_limit() const;
  void arm_idle_timer();
  void on_idle(error_code ec);
  /// Replies to the waiting GET, if any, with everything queued.
  void answer_waiting();
  /// Replies `waiting_` with `a` and tells the handler it was polled.
  void end_wait(poll_answer a);
  /// Everything queued, as one batch; its bytes retire.
  std::string take_queue();
  void finish(const std::string& reason);

  net::strand<net::any_io_executor> strand_;
  settings cfg_;
  std::string remote_;
  std::string token_;
  admission::ticket ticket_;
  std::shared_ptr<channel_handler> handler_;
  containers::lazy_queue<shared_bytes> queue_;
  size_t queued_bytes_ = 0;
  retired_count retired_;
  /// The GET (or the opening POST) waiting for frames, and its timer.
  poll_reply waiting_;
  net::steady_timer wait_timer_;
  /// Counts waits, so that a timer that fired late ends no newer wait.
  uint64_t wait_number_ = 0;
  /// A post to `answer_waiting` is on its way: sends posted before it
  /// join its batch.
  bool answer_posted_ = false;
  /// Backstop: a connection that hears nothing at all from its client
  /// for `settings::idle_timeout` ends, also once its actor has gone
  /// quiet (the actor's own silence check, CLOSE 3, comes first).
  net::steady_timer idle_timer_;
  std::chrono::steady_clock::time_point last_heard_;
  /// Messages delivered and not yet reported handled; POSTs answered
  /// once the count is below `settings::max_unhandled` again.
  size_t unhandled_ = 0;
  std::vector<poll_reply> parked_;
  size_t drained_mark_ = 0;
  bool closing_ = false;
  bool finished_ = false;
};

} // namespace tether::transport
