#include "actors/function_behavior.hpp"

#include <caf/actor_system.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "actors/log.hpp"

namespace tether {

void refuse_stream(const request_context& ctx) {
  responder{ctx}.fail("invalid", "op '" + ctx.op + "' does not take streams");
}

behavior_actor lift(caf::actor_system& sys, responder_function fn) {
  return sys.spawn(
      [fn](behavior_actor::pointer) -> behavior_actor::behavior_type {
        return requests_only([fn](invoke_atom, const request_context& ctx,
                                  const codec::value& payload) {
          responder r{ctx};
          try {
            fn(payload, r);
          } catch (const std::exception& e) {
            TETHER_LOG(error, "behavior",
                       "op '" << ctx.op << "' threw: " << e.what());
            r.fail("internal", "the op failed");
          } catch (...) {
            TETHER_LOG(error, "behavior", "op '" << ctx.op << "' threw");
            r.fail("internal", "the op failed");
          }
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

} // namespace tether
