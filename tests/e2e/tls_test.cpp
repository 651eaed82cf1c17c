// TLS on the client port: one real node given a certificate serves wss://
// and https:// and, on the same port, plain clients; a verifying client
// refuses a certificate it cannot trust; SIGHUP swaps the certificate
// without dropping anyone; unusable files stop the node at start; a request
// that stalls gets 408.
// Certificates are made at test time (tests/support/certificates.hpp).

#include <csignal>
#include <cstdio>
#include <fstream>

#include <catch2/catch.hpp>

#include "stalled_request.hpp"
#include "tether/tests/support/calls.hpp"
#include "tether/tests/support/certificates.hpp"
#include "tether/tests/support/child_node.hpp"
#include "tether/tests/support/http_call.hpp"
#include "tether/transport/tls.hpp"

using namespace tether;
using namespace std::chrono_literals;
using codec::value;
using test::child_node;

namespace {

/// A node serving `made` on a free port, logging what it does.
std::unique_ptr<child_node> tls_node(const test::certificate& made,
                                     std::vector<std::string> more = {}) {
  std::vector<std::string> args{"--listen=127.0.0.1:0", "--store=none",
                                "--log-level=info", "--tls-cert=" + made.cert,
                                "--tls-key=" + made.key};
  args.insert(args.end(), more.begin(), more.end());
  return std::make_unique<child_node>(std::move(args),
                                      test::child_options{true, {}});
}

/// `where` over TLS, trusting only `ca_file`.
client::endpoint trusting(client::endpoint where, const std::string& ca_file) {
  where.tls = true;
  where.tls_options.ca_file = ca_file;
  return where;
}

/// `where` without TLS, on the same port.
client::endpoint plain(client::endpoint where) {
  where.tls = false;
  return where;
}

/// Whether a client trusting `ca_file` completes a handshake and an echo.
bool echoes(client::io_thread& io, const client::endpoint& where) {
  auto c = client::client::connect(io, where, nullptr, 5s);
  if (!c || !c->hello())
    return false;
  auto a = test::call(*c, "sys.echo", value::of(std::string{"over tls"}));
  return a.ok() && a.payload == value::of(std::string{"over tls"});
}

} // namespace

TEST_CASE("a node with a certificate serves wss and https and plain clients "
          "on one port") {
  test::temp_dir dir;
  auto node = tls_node(test::issue(dir, "ca", "node"));
  auto where = node->listening();
  REQUIRE(where);
  // It names its URL wss://.
  CHECK(where->tls);
  auto secure = trusting(*where, test::make_ca(dir, "ca").cert);

  client::io_thread io;
  CHECK(echoes(io, secure));
  CHECK(echoes(io, plain(*where)));
  auto health = test::http_call(secure, "GET", "/health");
  CHECK(health.status == 200);
  CHECK(health.body == "ok\n");
  CHECK(test::http_call(plain(*where), "GET", "/health").status == 200);

  // Sessions work over TLS as over TCP: the answer comes again in the
  // replay of a resume.
  auto c = test::join(io, secure);
  auto s = c->open_session();
  REQUIRE(s);
  test::call_ok(*c, "sys.echo", value::of(1));
  c->abort();
  auto back = test::resume(io, secure, *s, 0);
  auto replayed = back->next(5s);
  REQUIRE(replayed);
  REQUIRE(std::holds_alternative<codec::reply>(*replayed));
  CHECK(std::get<codec::reply>(*replayed).payload == value::of(1));
}

TEST_CASE("a verifying client refuses an expired certificate and one of an "
          "unknown CA") {
  test::temp_dir dir;
  SECTION("expired") {
    test::validity expired;
    expired.expired = true;
    auto node = tls_node(test::issue(dir, "ca", "old", expired));
    auto where = node->listening();
    REQUIRE(where);
    client::io_thread io;
    auto secure = trusting(*where, test::make_ca(dir, "ca").cert);
    std::string error;
    CHECK(client::client::connect(io, secure, &error, 5s) == nullptr);
    INFO(error);
    CHECK(error.find("expired") != std::string::npos);
    // The node is not harmed by the refused handshake.
    CHECK(echoes(io, plain(*where)));
  }
  SECTION("unknown CA") {
    auto node = tls_node(test::issue(dir, "stranger", "node"));
    auto where = node->listening();
    REQUIRE(where);
    client::io_thread io;
    test::make_ca(dir, "ca");
    CHECK(client::client::connect(io, trusting(*where, dir.file("ca.pem")),
                                  nullptr, 5s) == nullptr);
    CHECK(
        test::http_call(trusting(*where, dir.file("ca.pem")), "GET", "/health")
            .status == 0);
  }
}

TEST_CASE("over TLS a request that stalls midway is answered 408 and closed") {
  // As over TCP (tests/e2e/http_test.cpp): a cut without an answer would
  // leave its client a reset and no reason.
  namespace http = transport::http;
  namespace net = transport::net;
  test::temp_dir dir;
  auto node =
      tls_node(test::issue(dir, "ca", "node"), {"--handshake-timeout-ms=300"});
  auto where = node->listening();
  REQUIRE(where);
  transport::tls_client_options options;
  options.ca_file = test::make_ca(dir, "ca").cert;
  std::string problem;
  auto ctx = transport::make_tls_client(options, problem);
  REQUIRE(ctx);
  net::io_context ioc;
  transport::tls_client_stream s{ioc, *ctx};
  auto& tcp = transport::beast::get_lowest_layer(s);
  tcp.expires_after(20s);
  tcp.connect(transport::tcp::endpoint{net::ip::make_address(where->host),
                                       where->port});
  s.handshake(transport::ssl::stream_base::client);
  auto ec = test::stall_for_408(s);
  // Then the end: the node's close_notify once the rest of the request
  // came, or within its time limit a close without one.
  INFO(ec.message());
  CHECK((ec == http::error::end_of_stream ||
         ec == transport::ssl::error::stream_truncated));
}

TEST_CASE("SIGHUP reloads the certificate and keeps open connections") {
  test::temp_dir dir;
  auto first = test::issue(dir, "first", "node");
  auto node = tls_node(first);
  auto where = node->listening();
  REQUIRE(where);
  client::io_thread io;
  auto old_ca = trusting(*where, dir.file("first.pem"));
  auto kept = test::join(io, old_ca);

  // New files at the same paths, from another CA.
  auto second = test::issue(dir, "second", "next");
  REQUIRE(std::rename(second.cert.c_str(), first.cert.c_str()) == 0);
  REQUIRE(std::rename(second.key.c_str(), first.key.c_str()) == 0);
  node->signal(SIGHUP);
  REQUIRE(test::eventually(
      [&] {
        return node->error_output().find("reloaded") != std::string::npos;
      },
      5s));

  CHECK(echoes(io, trusting(*where, dir.file("second.pem"))));
  CHECK_FALSE(echoes(io, old_ca));
  // The connection made before still works, on the old certificate.
  CHECK(test::call_ok(*kept, "sys.echo", value::of(3)) == value::of(3));

  // A reload that fails keeps what is in use.
  std::ofstream{first.cert} << "not a certificate\n";
  node->signal(SIGHUP);
  REQUIRE(test::eventually(
      [&] {
        return node->error_output().find("kept the certificate in use") !=
               std::string::npos;
      },
      5s));
  CHECK(echoes(io, trusting(*where, dir.file("second.pem"))));
}

TEST_CASE("a missing or unusable certificate stops the node at start with "
          "exit 2") {
  test::temp_dir dir;
  auto made = test::issue(dir, "ca", "node");
  auto other = test::issue(dir, "ca", "other");
  struct attempt {
    std::vector<std::string> args;
    std::string says;
  };
  for (const auto& a : std::vector<attempt>{
           {{"--tls-cert=" + dir.file("missing.pem"), "--tls-key=" + made.key},
            "missing.pem"},
           {{"--tls-cert=" + made.cert, "--tls-key=" + other.key}, "other.key"},
           {{"--tls-cert=" + made.cert}, "go together"}}) {
    auto args = a.args;
    args.push_back("--listen=127.0.0.1:0");
    args.push_back("--store=none");
    child_node node{args, test::child_options{true, {}}};
    CHECK(node.wait_exit() == 2);
    INFO(node.error_output());
    CHECK(node.error_output().find(a.says) != std::string::npos);
  }
}
