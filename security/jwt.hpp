#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace tether::security {

/// The verified claims of a JWT, as a MessagePack map.
struct jwt_claims {
  std::string msgpack_map;
};

/// Verifies an HS256 JWT: header `alg` must be HS256, the signature must
/// check (in constant time) under `secret`, `exp` (if present) must lie
/// after `now` and `nbf` (if present) not after it. On failure `why` says
/// which check failed, for the log only.
std::optional<jwt_claims> verify_hs256(const std::string& token,
                                       const std::string& secret, uint64_t now,
                                       std::string& why);

/// Makes an HS256 JWT from a JSON object text (for tests and tools).
std::string sign_hs256(const std::string& claims_json,
                       const std::string& secret);

} // namespace tether::security
