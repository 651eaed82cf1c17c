#pragma once

#include <functional>
#include <string>
#include <variant>

#include <caf/typed_event_based_actor.hpp>

#include "tether/actors/interfaces.hpp"
#include "tether/actors/responder.hpp"
#include "tether/codec/frames.hpp"

namespace tether {

/// An application error to answer with ERROR: a snake_case code and a
/// message meant for the client.
struct op_error {
  std::string code;
  std::string message;
};

/// What a plain function behavior returns: the REPLY's payload, or an error.
using op_result = std::variant<codec::value, op_error>;

/// A request handled synchronously: payload in, answer out.
using request_function =
    std::function<op_result(const request_context&, const codec::value&)>;

/// A request handled on the function's own terms: it answers through the
/// responder, now or later, with any answer (parts, retry, signals).
using responder_function =
    std::function<void(const codec::value&, const responder&)>;

/// Lifts a plain function into a behavior actor. An exception thrown by the
/// function answers ERROR `internal` (the cause goes to the log only).
/// Streams get ERROR `invalid`: a plain function takes one payload.
behavior_actor lift(caf::actor_system& sys, request_function fn);

/// Lifts a responder function into a behavior actor; same rules.
behavior_actor lift(caf::actor_system& sys, responder_function fn);

/// Runs a plain function where the request is, with the rules of `lift`:
/// the frame that answers it (REPLY, or ERROR; `internal` if it threw).
codec::frame answer_inline(const request_function& fn,
                           const request_context& ctx,
                           const codec::value& payload);

/// Answers a STREAM sent to a behavior that takes none.
void refuse_stream(const request_context& ctx);

/// The behavior of an actor that serves REQUESTs only: `on_invoke` is its
/// `(invoke_atom, const request_context&, const codec::value&)` handler;
/// STREAMs are refused, and cancels and signals ignored.
template <class OnInvoke>
behavior_actor::behavior_type requests_only(OnInvoke on_invoke) {
  return {
      std::move(on_invoke),
      [](open_atom, const request_context& ctx, const codec::value&) {
        refuse_stream(ctx);
      },
      [](part_atom, const request_context&, const codec::value&, bool) {},
      [](cancel_atom, const request_context&) {},
      [](signal_atom, const request_context&, const codec::value&) {},
  };
}

} // namespace tether
