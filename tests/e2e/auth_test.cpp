// Authentication of HELLO: anonymous by default, HS256 JWTs when configured,
// and a user's own authenticator; refusals are CLOSE 8.

#include <ctime>

#include <catch2/catch.hpp>

#include "tether/actors/auth/authenticators.hpp"
#include "tether/security/jwt.hpp"
#include "tether/tests/support/test_node.hpp"

using namespace tether;
using namespace std::chrono_literals;
using codec::value;

namespace {

const std::string jwt_secret = "test-jwt-secret";

test::test_node jwt_node(bool allow_anonymous = false) {
  return test::test_node{[allow_anonymous](config::options& o) {
    o.auth = "jwt";
    o.jwt_secret = jwt_secret;
    o.allow_anonymous = allow_anonymous;
  }};
}

codec::map_value token_auth(const std::string& token) {
  return codec::map_value{test::map_of({{"token", value::of(token)}})};
}

std::string claims(long exp_offset, const std::string& sub = "user-42") {
  auto now = static_cast<long>(std::time(nullptr));
  return R"({"sub":")" + sub + R"(","role":"admin","exp":)" +
         std::to_string(now + exp_offset) + "}";
}

/// HELLO with `auth`; the CLOSE code, or 0 when WELCOME came.
uint64_t hello_outcome(const test::test_node& n, client::io_thread& io,
                       codec::map_value auth) {
  auto c = n.connect(io);
  c->send(codec::hello{1, "auth-test", std::move(auth)});
  auto f = c->next(5s);
  REQUIRE(f);
  if (std::holds_alternative<codec::welcome>(*f))
    return 0;
  auto close = std::get_if<codec::close>(&*f);
  REQUIRE(close);
  return close->code;
}

} // namespace

TEST_CASE("anonymous clients are let in by default") {
  test::test_node n;
  client::io_thread io;
  CHECK(hello_outcome(n, io, {}) == 0);
}

TEST_CASE(
    "a valid JWT lets the client in and its claims join the session info") {
  auto n = jwt_node();
  client::io_thread io;
  auto c = n.connect(io);
  REQUIRE(c->hello(token_auth(security::sign_hs256(claims(600), jwt_secret))));
  auto s = c->open_session(codec::map_value{
      test::map_of({{"sub", value::of(std::string{"spoofed"})},
                    {"theme", value::of(std::string{"dark"})}})});
  REQUIRE(s);
  // Verified claims win over what the client says about itself.
  CHECK(test::field<std::string>(s->info, "sub") == "user-42");
  CHECK(test::field<std::string>(s->info, "role") == "admin");
  CHECK(test::field<std::string>(s->info, "theme") == "dark");
}

TEST_CASE("bad credentials get CLOSE 8") {
  auto n = jwt_node();
  client::io_thread io;
  auto valid = security::sign_hs256(claims(600), jwt_secret);
  auto tampered = valid;
  tampered[tampered.size() - 5] ^= 1;
  auto now = static_cast<long>(std::time(nullptr));
  for (const auto& auth : {
           token_auth(security::sign_hs256(claims(-10), jwt_secret)), // expired
           token_auth(security::sign_hs256(claims(600), "another-secret")),
           token_auth(tampered),
           token_auth("not.a.jwt"),
           token_auth(security::sign_hs256(R"({"sub":"x","nbf":)" +
                                               std::to_string(now + 600) + "}",
                                           jwt_secret)), // not valid yet
           codec::map_value{}, // anonymous, not allowed here
           codec::map_value{test::map_of({{"token", value::of(5)}})},
       }) {
    CHECK(hello_outcome(n, io, auth) == 8);
  }
  CHECK(hello_outcome(n, io, token_auth(valid)) == 0);
}

TEST_CASE("with allow_anonymous an empty auth map is let in") {
  auto n = jwt_node(true);
  client::io_thread io;
  CHECK(hello_outcome(n, io, {}) == 0);
  CHECK(hello_outcome(n, io, token_auth("bad")) == 8);
}

TEST_CASE("a custom authenticator decides") {
  test::test_node n{
      {}, [](runtime& rt) {
        rt.set_authenticator(
            lift_authenticator(rt.system(), [](const value& auth) {
              auto pass = codec::lookup(auth, "password");
              if (pass == value::of(std::string{"open sesame"}))
                return auth_result{
                    true,
                    test::map_of({{"sub", value::of(std::string{"ali"})}}),
                    {}};
              return auth_result{false, {}, "wrong password"};
            }));
      }};
  client::io_thread io;
  CHECK(hello_outcome(n, io,
                      codec::map_value{test::map_of(
                          {{"password", value::of(std::string{"nope"})}})}) ==
        8);
  auto c = n.connect(io);
  REQUIRE(c->hello(codec::map_value{
      test::map_of({{"password", value::of(std::string{"open sesame"})}})}));
  auto s = c->open_session();
  REQUIRE(s);
  CHECK(test::field<std::string>(s->info, "sub") == "ali");
}
