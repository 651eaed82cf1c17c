// The HELLO path: a batch of frames as a client sends it; HELLO's `auth`
// goes to the JWT authenticator (the actor the node runs with --auth=jwt)
// and, once let in, its claims are merged into SESSION_OPEN's `info` as
// the session supervisor does. A token of the form `header.payload` gets a
// correct signature first, so that the claims are reached.

#include <set>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include <caf/scoped_actor.hpp>

#include "caf_support.hpp"
#include "fuzz_support.hpp"
#include "tether/actors/auth/authenticators.hpp"
#include "tether/codec/claims.hpp"
#include "tether/codec/decode.hpp"
#include "tether/codec/payload_fields.hpp"
#include "tether/security/crypto.hpp"

using namespace tether;

namespace {

const std::string secret = "fuzz-secret";

/// `auth` with an unsigned `header.payload` token signed under `secret`.
codec::map_value with_signed_token(const codec::map_value& auth) {
  std::string token;
  if (!codec::get_string(auth, "token", token) ||
      token.find('.') != token.rfind('.') ||
      token.find('.') == std::string::npos)
    return auth;
  std::vector<std::pair<std::string, codec::value>> entries;
  if (!codec::map_entries(auth, entries))
    return auth;
  auto mac = security::hmac_sha256(secret, token);
  for (auto& [key, val] : entries)
    if (key == "token")
      val = codec::value::of(token + "." + security::base64url_encode(mac));
  return codec::map_value{codec::value::map(entries)};
}

auth_result authenticate(const codec::map_value& auth) {
  static auto* self = new caf::scoped_actor{fuzz::actor_system()};
  static auto authenticator =
      spawn_jwt_authenticator(fuzz::actor_system(), secret, true);
  auth_result result;
  (*self)
      ->request(authenticator, caf::infinite, auth_atom::value, auth)
      .receive(
          [&](auth_result& r) { result = std::move(r); },
          [](caf::error&) { fuzz::check(false, "the authenticator failed"); });
  return result;
}

/// Claims win over `info`, and nothing else of either is lost.
void check_merged(const codec::value& info, const codec::value& claims) {
  auto merged = codec::merge_claims(info, claims);
  std::vector<std::pair<std::string, codec::value>> entries;
  fuzz::check(codec::map_entries(merged, entries),
              "merged info is not a map with string keys");
  std::set<std::string> claimed;
  std::vector<std::pair<std::string, codec::value>> from_claims;
  codec::map_entries(claims, from_claims);
  for (const auto& [key, val] : from_claims) {
    claimed.insert(key);
    fuzz::check(codec::lookup(merged, key) == codec::lookup(claims, key),
                "a claim lost to info");
  }
  std::vector<std::pair<std::string, codec::value>> from_info;
  codec::map_entries(info, from_info);
  for (const auto& [key, val] : from_info)
    fuzz::check(claimed.count(key) > 0 ||
                    codec::lookup(merged, key) == codec::lookup(info, key),
                "an info entry lost");
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto batch = codec::decode_batch(reinterpret_cast<const char*>(data), size);
  auto* frames = std::get_if<std::vector<codec::frame>>(&batch);
  if (!frames)
    return 0;
  codec::value info;
  for (const auto& f : *frames)
    if (auto* open = std::get_if<codec::session_open>(&f))
      info = open->info;
  for (const auto& f : *frames) {
    auto* hello = std::get_if<codec::hello>(&f);
    if (!hello)
      continue;
    auto result = authenticate(with_signed_token(hello->auth));
    fuzz::check(result.ok || !result.reason.empty(),
                "a refusal without a reason");
    if (result.ok)
      check_merged(info, result.claims);
  }
  return 0;
}
