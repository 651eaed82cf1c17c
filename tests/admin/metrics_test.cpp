// /metrics after known traffic: each series moves by what was done.

#include <map>
#include <sstream>

#include "tether/tests/admin/admin_fixture.hpp"
#include "tether/transport/beast.hpp"

using namespace tether;
using namespace std::chrono_literals;
using codec::value;

namespace {

/// Every sample of a scrape's body, by name and labels as written.
std::map<std::string, double> parse(const test::http_result& r) {
  REQUIRE(r.status == 200);
  CHECK(r.content_type == "text/plain; version=0.0.4; charset=utf-8");
  std::map<std::string, double> samples;
  std::istringstream in{r.body};
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#')
      continue;
    auto space = line.rfind(' ');
    samples[line.substr(0, space)] = std::stod(line.substr(space + 1));
  }
  return samples;
}

std::map<std::string, double> scrape(const client::endpoint& at) {
  return parse(test::http_call(at, "GET", "/metrics"));
}

/// A WebSocket upgrade with `origin`: the status it gets.
unsigned upgrade_from(const client::endpoint& at, const std::string& origin) {
  namespace http = transport::http;
  transport::net::io_context ioc;
  transport::beast::tcp_stream s{ioc};
  s.expires_after(10s);
  s.connect({transport::net::ip::make_address(at.host), at.port});
  http::request<http::empty_body> req{http::verb::get, "/ws", 11};
  req.set(http::field::host, at.host);
  req.set(http::field::upgrade, "websocket");
  req.set(http::field::connection, "Upgrade");
  req.set(http::field::sec_websocket_key, "dGhlIHNhbXBsZSBub25jZQ==");
  req.set(http::field::sec_websocket_version, "13");
  req.set(http::field::origin, origin);
  http::write(s, req);
  transport::beast::flat_buffer buffer;
  http::response<http::string_body> res;
  http::read(s, buffer, res);
  return res.result_int();
}

} // namespace

TEST_CASE_METHOD(test::admin_fixture,
                 "metrics count connections requests closes and resumes") {
  auto at = node.where();
  auto before = scrape(at);
  CHECK(before["tether_connections"] == 0);
  CHECK(before["tether_requests_total{outcome=\"reply\"}"] == 0);
  CHECK(before["tether_cluster_nodes{state=\"up\"}"] == 1);
  auto c = test::join(io, at);
  c->auto_ack(0);
  auto s = c->open_session();
  REQUIRE(s);
  for (int i = 0; i < 3; ++i)
    test::call_ok(*c, "sys.echo", value::of(i));
  CHECK(test::call(*c, "no.such.op", value::empty_map()).code == "unknown_op");
  auto m = scrape(at);
  CHECK(m["tether_connections"] == 1);
  CHECK(m["tether_sessions"] == 1);
  CHECK(m["tether_requests_total{outcome=\"reply\"}"] == 3);
  CHECK(m["tether_requests_total{outcome=\"error\"}"] == 1);
  CHECK(m["tether_requests_total{outcome=\"retry\"}"] == 0);
  // HELLO, SESSION_OPEN, four REQUESTs; WELCOME, SESSION, four answers.
  CHECK(m["tether_frames_received_total"] == 6);
  CHECK(m["tether_frames_sent_total"] >= 6);
  CHECK(m["tether_request_duration_seconds_count"] == 4);
  CHECK(m["tether_request_duration_seconds_bucket{le=\"+Inf\"}"] == 4);
  CHECK(m["tether_request_duration_seconds_bucket{le=\"0.0005\"}"] <=
        m["tether_request_duration_seconds_bucket{le=\"5\"}"]);
  CHECK(m["process_resident_memory_bytes"] > 1e6);
  CHECK(m["process_cpu_seconds_total"] > 0);

  // Resumes: a token no node made, one too far ahead, then a good one,
  // which replaces c (CLOSE 6).
  auto bad = test::join(io, at);
  std::string error;
  CHECK_FALSE(bad->resume_session("nonsense", 0, &error));
  CHECK(error == "stream_not_found");
  CHECK_FALSE(bad->resume_session(s->stream_token, 1000, &error));
  CHECK(error == "resume_gap");
  test::resume(io, at, *s, c->last_seq());
  auto replaced = c->wait_closed(5s);
  REQUIRE(replaced);
  CHECK(replaced->code == 6);
  // A text message: CLOSE 2.
  auto t = test::join(io, at);
  t->send_raw("hello", false);
  auto closed = t->wait_closed(5s);
  REQUIRE(closed);
  CHECK(closed->code == 2);
  m = scrape(at);
  CHECK(m["tether_resumes_total{outcome=\"resumed\"}"] == 1);
  CHECK(m["tether_resumes_total{outcome=\"gap\"}"] == 1);
  CHECK(m["tether_resumes_total{outcome=\"not_found\"}"] == 1);
  CHECK(m["tether_closes_total{code=\"6\"}"] == 1);
  CHECK(m["tether_closes_total{code=\"2\"}"] == 1);
  CHECK(m["tether_closes_total{code=\"5\"}"] == 0);
  CHECK(m["tether_migrations_total{kind=\"session\",outcome=\"ok\"}"] == 0);
}

TEST_CASE("metrics count refusals of admission and of request rates") {
  test::admin_fixture f{[](config::options& o) {
    o.allowed_origins = {"https://ok.example"};
    o.lim.request_rate = 1;
    o.lim.request_burst = 1;
  }};
  auto at = f.node.where();
  CHECK(upgrade_from(at, "https://evil.example") == 403);
  CHECK(upgrade_from(at, "https://evil.example") == 403);
  auto c = test::join(f.io, at);
  test::call_ok(*c, "sys.echo", value::of(1));
  auto refused = test::call(*c, "sys.echo", value::of(2));
  CHECK(refused.what == client::answer::kind::retry);
  CHECK(refused.message == "rate_limit");
  auto m = scrape(at);
  CHECK(m["tether_refusals_total{reason=\"origin\"}"] == 2);
  CHECK(m["tether_refusals_total{reason=\"rate_limit\"}"] == 1);
  CHECK(m["tether_refusals_total{reason=\"per_ip\"}"] == 0);
  CHECK(m["tether_requests_total{outcome=\"retry\"}"] == 1);
  CHECK(m["tether_requests_total{outcome=\"reply\"}"] == 1);
}

TEST_CASE("metrics count connections refused per address") {
  test::admin_fixture f{
      [](config::options& o) { o.max_connections_per_ip = 1; }};
  auto at = f.node.where();
  auto c = test::join(f.io, at);
  // A second connection from the same address: 429.
  CHECK(test::http_call(at, "GET", "/metrics").status == 429);
  c->close();
  // Once c is counted out, a scrape is the one connection: refused (and
  // counted) until then.
  test::http_result r;
  for (int i = 0; i < 200 && r.status != 200; ++i) {
    r = test::http_call(at, "GET", "/metrics");
    if (r.status != 200)
      std::this_thread::sleep_for(20ms);
  }
  auto m = parse(r);
  CHECK(m["tether_refusals_total{reason=\"per_ip\"}"] >= 1);
}
