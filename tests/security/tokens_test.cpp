// Stream tokens, JWTs and the encodings under them.

#include <catch2/catch.hpp>

#include "tether/security/crypto.hpp"
#include "tether/security/jwt.hpp"
#include "tether/security/stream_token.hpp"

using namespace tether::security;

namespace {

stream_claims sample(uint64_t expires = 2000) {
  stream_claims c;
  c.node = "n1";
  c.session_id = "n1.abc";
  c.stream = 3;
  c.generation = 7;
  c.expires = expires;
  return c;
}

} // namespace

TEST_CASE("base64url and hex round-trip every byte value") {
  std::string all;
  for (int i = 0; i < 256; ++i)
    all.push_back(static_cast<char>(i));
  for (size_t n = 0; n <= all.size(); n += 37) {
    auto part = all.substr(0, n);
    CHECK(base64url_decode(base64url_encode(part)) == part);
    CHECK(from_hex(to_hex(part)) == part);
  }
  CHECK(base64url_encode("\xfb\xff") == "-_8");
  CHECK_FALSE(base64url_decode("a").has_value());
  CHECK_FALSE(base64url_decode("ab+/").has_value());
  CHECK_FALSE(from_hex("abc").has_value());
  CHECK_FALSE(from_hex("zz").has_value());
}

TEST_CASE("HMAC-SHA-256 matches RFC 4231 test case 2") {
  CHECK(to_hex(hmac_sha256("Jefe", "what do ya want for nothing?")) ==
        "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST_CASE("random keys differ and have the asked length") {
  auto a = random_bytes(32);
  auto b = random_bytes(32);
  CHECK(a.size() == 32);
  CHECK(a != b);
}

TEST_CASE("a signed token verifies to its claims") {
  stream_token_signer signer{random_bytes(32)};
  auto token = signer.sign(sample());
  auto claims = signer.verify(token, 1000);
  REQUIRE(claims);
  CHECK(claims->node == "n1");
  CHECK(claims->session_id == "n1.abc");
  CHECK(claims->stream == 3);
  CHECK(claims->generation == 7);
  CHECK(claims->expires == 2000);
}

TEST_CASE("expired or altered or foreign tokens do not verify") {
  auto secret = random_bytes(32);
  stream_token_signer signer{secret};
  auto token = signer.sign(sample());
  CHECK_FALSE(signer.verify(token, 2000)); // at its expiry
  CHECK_FALSE(stream_token_signer{random_bytes(32)}.verify(token, 1000));
  // Every other character at every position, including the unused low
  // bits of the MAC's last character.
  const std::string alphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.";
  for (size_t i = 0; i < token.size(); ++i)
    for (char ch : alphabet) {
      if (ch == token[i])
        continue;
      auto altered = token;
      altered[i] = ch;
      CHECK_FALSE(signer.verify(altered, 1000));
    }
  for (size_t n = 0; n < token.size(); ++n)
    CHECK_FALSE(signer.verify(token.substr(0, n), 1000));
  // Claims rewritten by someone without the secret.
  auto forged = stream_token_signer{random_bytes(32)}.sign(sample(99999));
  auto head = forged.substr(0, forged.rfind('.'));
  CHECK_FALSE(signer.verify(head + token.substr(token.rfind('.')), 1000));
}

TEST_CASE("HS256 JWTs: signature, exp and nbf are checked") {
  std::string why;
  auto good = sign_hs256(R"({"sub":"u1","exp":2000,"nbf":500})", "s3cret");
  auto claims = verify_hs256(good, "s3cret", 1000, why);
  REQUIRE(claims);
  CHECK_FALSE(claims->msgpack_map.empty());
  CHECK_FALSE(verify_hs256(good, "other", 1000, why));
  CHECK(why == "bad signature");
  CHECK_FALSE(verify_hs256(good, "s3cret", 2000, why));
  CHECK(why == "expired");
  CHECK_FALSE(verify_hs256(good, "s3cret", 100, why));
  CHECK(why == "not valid yet");
  CHECK_FALSE(verify_hs256("a.b", "s3cret", 1000, why));
  // A token whose header names another algorithm is refused even when the
  // signature matches.
  auto head = base64url_encode(R"({"alg":"none"})");
  auto body = base64url_encode(R"({"sub":"u1"})");
  auto none = head + "." + body + "." +
              base64url_encode(hmac_sha256("s3cret", head + "." + body));
  CHECK_FALSE(verify_hs256(none, "s3cret", 1000, why));
  CHECK(why == "alg is not HS256");
}

TEST_CASE("a signed JWT whose alg is no string is refused, not thrown") {
  // Found by tests/fuzz/jwt_fuzz (corpus/jwt/alg_not_a_string): nlohmann's
  // value("alg", "") threw type_error out of verify_hs256.
  std::string why;
  for (auto alg : {"5", "null", "[\"HS256\"]", "{}"}) {
    auto head = base64url_encode(std::string{R"({"alg":)"} + alg + "}");
    auto body = base64url_encode(R"({"sub":"u1"})");
    auto token = head + "." + body + "." +
                 base64url_encode(hmac_sha256("s3cret", head + "." + body));
    CHECK_NOTHROW(verify_hs256(token, "s3cret", 1000, why));
    CHECK_FALSE(verify_hs256(token, "s3cret", 1000, why));
    CHECK(why == "alg is not HS256");
  }
}
