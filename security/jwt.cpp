#include "tether/security/jwt.hpp"

#include <nlohmann/json.hpp>

#include "tether/security/crypto.hpp"

namespace tether::security {

using json = nlohmann::json;

std::optional<jwt_claims> verify_hs256(const std::string& token,
                                       const std::string& secret, uint64_t now,
                                       std::string& why) {
  auto first = token.find('.');
  auto second = token.rfind('.');
  if (token.size() > 8192 || first == std::string::npos || first == second) {
    why = "not a JWT";
    return std::nullopt;
  }
  // Compared as text, so that no other spelling of the signature passes.
  auto signature =
      base64url_encode(hmac_sha256(secret, token.substr(0, second)));
  if (!equal_constant_time(token.substr(second + 1), signature)) {
    why = "bad signature";
    return std::nullopt;
  }
  auto header = base64url_decode(token.substr(0, first));
  auto payload = base64url_decode(token.substr(first + 1, second - first - 1));
  if (!header || !payload) {
    why = "not base64url";
    return std::nullopt;
  }
  auto h = json::parse(*header, nullptr, false);
  auto p = json::parse(*payload, nullptr, false);
  if (h.is_discarded() || p.is_discarded() || !h.is_object() ||
      !p.is_object()) {
    why = "not JSON objects";
    return std::nullopt;
  }
  // Looked up by hand: `value("alg", "")` throws when alg is no string,
  // and verifying must answer, not throw, for any signed token.
  auto alg = h.find("alg");
  if (alg == h.end() || !alg->is_string() || *alg != "HS256") {
    why = "alg is not HS256";
    return std::nullopt;
  }
  auto time_claim = [&p](const char* key, bool& bad) -> std::optional<double> {
    if (!p.contains(key))
      return std::nullopt;
    if (!p[key].is_number()) {
      bad = true;
      return std::nullopt;
    }
    return p[key].get<double>();
  };
  bool bad = false;
  auto exp = time_claim("exp", bad);
  auto nbf = time_claim("nbf", bad);
  if (bad) {
    why = "exp or nbf is not a number";
    return std::nullopt;
  }
  if (exp && *exp <= static_cast<double>(now)) {
    why = "expired";
    return std::nullopt;
  }
  if (nbf && *nbf > static_cast<double>(now)) {
    why = "not valid yet";
    return std::nullopt;
  }
  auto bytes = json::to_msgpack(p);
  return jwt_claims{std::string{bytes.begin(), bytes.end()}};
}

std::string sign_hs256(const std::string& claims_json,
                       const std::string& secret) {
  auto head = base64url_encode(R"({"alg":"HS256","typ":"JWT"})");
  auto body = base64url_encode(claims_json);
  auto signing_input = head + "." + body;
  return signing_input + "." +
         base64url_encode(hmac_sha256(secret, signing_input));
}

} // namespace tether::security
