#pragma once

#include <cstdint>
#include <string>

#include <caf/send.hpp>

#include "tether/actors/interfaces.hpp"

namespace tether {

/// How a behavior answers one request. Cheap to copy; any thread or actor
/// may use it. Exactly one answer per request: `reply`, `fail`, `retry`, or
/// a run of `part` calls ending with `last = true`.
class responder {
 public:
  explicit responder(request_context ctx) : ctx_(std::move(ctx)) {}

  const request_context& context() const noexcept { return ctx_; }
  uint64_t id() const noexcept { return ctx_.id; }

  /// Answers REPLY with `payload`.
  void reply(codec::value payload) const {
    send(codec::reply{ctx_.id, std::move(payload)});
  }

  /// Answers ERROR with a snake_case `code` and a message for the client.
  void fail(std::string code, std::string message) const {
    send(codec::error{ctx_.id, std::move(code), std::move(message)});
  }

  /// Answers RETRY: the request was not performed.
  void retry(uint64_t wait_ms, std::string reason) const {
    send(codec::retry{ctx_.id, wait_ms, std::move(reason)});
  }

  /// Sends one RESULT_PART; `last = true` completes the request.
  void part(codec::value payload, bool last) const {
    send(codec::result_part{ctx_.id, std::move(payload), last});
  }

  /// Pushes a SIGNAL to the requester.
  void signal(std::string name, codec::value payload) const {
    send(codec::signal{std::move(name), std::move(payload)});
  }

  /// The client's actor, to `request` a call or credit from it.
  const client_actor& origin() const { return ctx_.origin; }

 private:
  template <class Frame> void send(Frame&& x) const {
    caf::anon_send(origin(), std::forward<Frame>(x));
  }

  request_context ctx_;
};

} // namespace tether
