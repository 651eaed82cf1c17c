#include "tether/actors/auth/authenticators.hpp"

#include <ctime>

#include <caf/actor_system.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "tether/actors/log.hpp"
#include "tether/codec/payload_fields.hpp"
#include "tether/security/jwt.hpp"

namespace tether {

authenticator_actor lift_authenticator(caf::actor_system& sys,
                                       auth_function fn) {
  return sys.spawn(
      [fn](authenticator_actor::pointer) -> authenticator_actor::behavior_type {
        return {
            [fn](auth_atom, const codec::map_value& auth) {
              try {
                return fn(auth);
              } catch (const std::exception& e) {
                TETHER_LOG(error, "auth", "authenticator threw: " << e.what());
                return auth_result{false, {}, "authentication failed"};
              }
            },
        };
      });
}

authenticator_actor spawn_anonymous_authenticator(caf::actor_system& sys) {
  return lift_authenticator(sys, [](const codec::value&) {
    return auth_result{true, {}, {}};
  });
}

authenticator_actor spawn_jwt_authenticator(caf::actor_system& sys,
                                            std::string secret,
                                            bool allow_anonymous) {
  return lift_authenticator(
      sys, [secret, allow_anonymous](const codec::value& auth) {
        std::string token;
        if (!codec::get_string(auth, "token", token)) {
          if (allow_anonymous && auth == codec::value::empty_map())
            return auth_result{true, {}, {}};
          return auth_result{false, {}, "auth needs {token: JWT}"};
        }
        std::string why;
        auto claims = security::verify_hs256(
            token, secret, static_cast<uint64_t>(std::time(nullptr)), why);
        if (!claims)
          return auth_result{false, {}, "invalid token: " + why};
        return auth_result{
            true, codec::value::from_encoded(claims->msgpack_map), {}};
      });
}

} // namespace tether
