#include "tether/actors/function_behavior.hpp"

#include <caf/actor_system.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "tether/actors/log.hpp"

namespace tether {

namespace {

/// Runs `body`; an exception goes to the log and answers through `fail`
/// with ERROR `internal`, never leaking its text to the client.
template <class Body, class Fail>
void guarded(const std::string& op, Body&& body, Fail&& fail) {
  try {
    body();
  } catch (const std::exception& e) {
    TETHER_LOG(error, "behavior", "op '" << op << "' threw: " << e.what());
    fail();
  } catch (...) {
    TETHER_LOG(error, "behavior", "op '" << op << "' threw");
    fail();
  }
}

} // namespace

void refuse_stream(const request_context& ctx) {
  responder{ctx}.fail("invalid", "op '" + ctx.op + "' does not take streams");
}

behavior_actor lift(caf::actor_system& sys, responder_function fn) {
  return sys.spawn(
      [fn](behavior_actor::pointer) -> behavior_actor::behavior_type {
        return requests_only([fn](invoke_atom, const request_context& ctx,
                                  const codec::value& payload) {
          responder r{ctx};
          guarded(
              ctx.op, [&] { fn(payload, r); },
              [&] { r.fail("internal", "the op failed"); });
        });
      });
}

behavior_actor lift(caf::actor_system& sys, request_function fn) {
  return lift(sys, responder_function{[fn](const codec::value& payload,
                                           const responder& r) {
                auto result = fn(r.context(), payload);
                if (auto err = std::get_if<op_error>(&result))
                  r.fail(std::move(err->code), std::move(err->message));
                else
                  r.reply(std::move(std::get<codec::value>(result)));
              }});
}

codec::frame answer_inline(const request_function& fn,
                           const request_context& ctx,
                           const codec::value& payload) {
  codec::frame answer = codec::error{ctx.id, "internal", "the op failed"};
  guarded(
      ctx.op,
      [&] {
        auto result = fn(ctx, payload);
        if (auto err = std::get_if<op_error>(&result))
          answer = codec::error{ctx.id, std::move(err->code),
                                std::move(err->message)};
        else
          answer =
              codec::reply{ctx.id, std::move(std::get<codec::value>(result))};
      },
      [] {});
  return answer;
}

} // namespace tether
