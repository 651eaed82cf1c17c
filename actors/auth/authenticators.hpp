#pragma once

#include <functional>
#include <string>

#include "tether/actors/interfaces.hpp"

namespace tether {

/// Decides about one `auth` map; may be called on any actor thread.
using auth_function = std::function<auth_result(const codec::value& auth)>;

/// Lifts a plain function into an authenticator actor. A function that
/// throws rejects the client (the cause goes to the log).
authenticator_actor lift_authenticator(caf::actor_system& sys,
                                       auth_function fn);

/// Lets every client in, anonymously (the default).
authenticator_actor spawn_anonymous_authenticator(caf::actor_system& sys);

/// Lets in clients whose `auth` is `{"token": JWT}` with a valid HS256
/// signature under `secret`, not expired (`exp`) and already valid (`nbf`);
/// the JWT's claims become the connection's claims. An empty `auth` map is
/// let in anonymously only when `allow_anonymous`.
authenticator_actor spawn_jwt_authenticator(caf::actor_system& sys,
                                            std::string secret,
                                            bool allow_anonymous);

} // namespace tether
