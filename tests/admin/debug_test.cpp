// /debug: a page served from the node itself, only where the admin API is.

#include "tether/tests/admin/admin_fixture.hpp"

using namespace tether;

TEST_CASE_METHOD(test::admin_fixture,
                 "debug serves its page without the token and loads nothing "
                 "from elsewhere") {
  auto r = test::http_call(node.where(), "GET", "/debug");
  REQUIRE(r.status == 200);
  CHECK(r.content_type == "text/html; charset=utf-8");
  const auto& page = r.body;
  CHECK(page.rfind("<!DOCTYPE html>", 0) == 0);
  // The login box, the token kept in the tab, the API it calls, the chart
  // and the tables of sessions and rooms.
  for (auto part : {"id=\"login\"", "sessionStorage", "/api/v1/node",
                    "/api/v1/sessions?limit=", "/api/v1/rooms", "/metrics",
                    "<canvas id=\"chart\"", "id=\"sessions\"", "id=\"rooms\"",
                    "id=\"cluster\""})
    CHECK(page.find(part) != std::string::npos);
  // Everything inline: no script, style or font from elsewhere.
  for (auto outside :
       {"<script src", "<link", "http://", "https://", "@import"})
    CHECK(page.find(outside) == std::string::npos);
}

TEST_CASE("debug is not found on a node without an admin token") {
  test::test_node n;
  CHECK(test::http_call(n.where(), "GET", "/debug").status == 404);
}
