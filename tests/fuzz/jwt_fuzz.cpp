// JWT verification on any text, twice: as the token a client sends (which
// almost never has a valid signature), and, when the input is a header and
// a payload as JSON on two lines, as a token correctly signed over them, so
// that the JSON, alg and exp/nbf checks and the claims' conversion are
// reached too. Base64url and hex are checked to round-trip on the way.

#include <string>

#include <msgpack.hpp>

#include "fuzz_support.hpp"
#include "tether/codec/payload_fields.hpp"
#include "tether/security/crypto.hpp"
#include "tether/security/jwt.hpp"

using namespace tether;

namespace {

const std::string secret = "fuzz-secret";
/// A fixed "now" keeps runs reproducible.
constexpr uint64_t now = 1700000000;

/// Signs `header` and `payload` as HS256 under `secret`.
std::string signed_token(const std::string& header,
                         const std::string& payload) {
  auto input = security::base64url_encode(header) + "." +
               security::base64url_encode(payload);
  return input + "." +
         security::base64url_encode(security::hmac_sha256(secret, input));
}

void check_encodings(const std::string& text) {
  auto b64 = security::base64url_decode(security::base64url_encode(text));
  fuzz::check(b64 && *b64 == text, "base64url does not round-trip");
  auto hex = security::from_hex(security::to_hex(text));
  fuzz::check(hex && *hex == text, "hex does not round-trip");
  security::base64url_decode(text);
  security::from_hex(text);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto text = fuzz::as_string(data, size);
  check_encodings(text);
  std::string why;
  security::verify_hs256(text, secret, now, why);
  auto newline = text.find('\n');
  if (newline == std::string::npos)
    return 0;
  auto token = signed_token(text.substr(0, newline), text.substr(newline + 1));
  auto claims = security::verify_hs256(token, secret, now, why);
  if (!claims) {
    // Longer tokens are refused before their signature is looked at.
    fuzz::check(why != "bad signature" || token.size() > 8192,
                "a correctly signed token failed its signature check");
    return 0;
  }
  // The claims are what the connection carries on: a MessagePack map.
  auto value = codec::value::from_encoded(claims->msgpack_map);
  std::vector<std::pair<std::string, codec::value>> entries;
  fuzz::check(codec::map_entries(value, entries),
              "verified claims are not a map with string keys");
  return 0;
}
