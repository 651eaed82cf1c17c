// Stream-token verification on any text, twice: as a client's token (whose
// MAC almost never checks), and with its claims part signed correctly, so
// that the claims' parsing (split, numbers, expiry) is reached too. A
// token that verifies must sign back to the same token.

#include <string>

#include "fuzz_support.hpp"
#include "tether/security/crypto.hpp"
#include "tether/security/stream_token.hpp"

using namespace tether;

namespace {

constexpr uint64_t now = 1700000000;

const security::stream_token_signer& signer() {
  static const security::stream_token_signer instance{std::string(32, 'k')};
  return instance;
}

/// `v1.<body in base64url>.<mac>`, signed under the signer's secret.
std::string signed_token(const std::string& body) {
  auto input = "v1." + security::base64url_encode(body);
  return input + "." +
         security::base64url_encode(
             security::hmac_sha256(std::string(32, 'k'), input));
}

void check_claims(const security::stream_claims& c) {
  auto again = signer().verify(signer().sign(c), now);
  fuzz::check(again.has_value(), "a signed token does not verify");
  fuzz::check(again->node == c.node && again->session_id == c.session_id &&
                  again->stream == c.stream &&
                  again->generation == c.generation &&
                  again->expires == c.expires,
              "a token's claims changed on the way");
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto text = fuzz::as_string(data, size);
  if (auto c = signer().verify(text, now))
    check_claims(*c);
  // The claims part as the node writes it: fields on lines.
  if (auto c = signer().verify(signed_token(text), now))
    check_claims(*c);
  return 0;
}
