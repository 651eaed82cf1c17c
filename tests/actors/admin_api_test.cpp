// The admin actor on its own (no node behind it): whatever bytes a request
// carries, it answers JSON and lives on.

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/scoped_actor.hpp>
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "tether/actors/admin/admin_api.hpp"

using namespace tether;
using namespace std::chrono_literals;

namespace {

struct fixture {
  caf::actor_system_config cfg;
  caf::actor_system sys{cfg};
  caf::scoped_actor self{sys};
  admin_actor admin = spawn_admin_api(sys, [] {
    admin_setup x;
    x.token = "t0ken";
    x.drain = [] {};
    return x;
  }());

  transport::http_response ask(const std::string& method,
                               const std::string& target) {
    transport::http_response answer{0, {}, {}};
    self->request(admin, 10s,
                  transport::http_request{method, target, "Bearer t0ken", ""})
        .receive([&](transport::http_response& r) { answer = std::move(r); },
                 [](const caf::error&) {});
    return answer;
  }
};

} // namespace

TEST_CASE_METHOD(fixture, "a path that is not UTF-8 gets a JSON 404 and the "
                          "API answers on") {
  // Found writing tests/fuzz/http_fuzz (its corpus keeps the request as
  // http/path_not_utf8): the 404's message quotes the path, nlohmann's
  // dump() threw on its bytes, and the exception ended the admin actor
  // (every later call: 409).
  auto r = ask("GET", "/api/v1/\xff\xfe");
  CHECK(r.status == 404);
  auto body = nlohmann::json::parse(r.body, nullptr, false);
  REQUIRE(body.is_object());
  CHECK(body["error"] == "unknown_op");
  CHECK(ask("POST", "/api/v1/drain").status == 202);
}
