// Hostile clients, end to end: a few thousand connections misbehave at
// once against a real node (and a TLS one) while 100 good clients echo.
// Every bad connection must end with the contract's CLOSE code or a clean
// close, the good ones must all finish, the node's memory must stay
// bounded, and the node must still answer and stop cleanly.

#include <algorithm>
#include <atomic>
#include <csignal>
#include <fstream>
#include <map>
#include <mutex>
#include <sstream>
#include <sys/resource.h>
#include <thread>

#include <catch2/catch.hpp>

#include "tether/tests/hostile/hostile_kinds.hpp"
#include "tether/tests/support/calls.hpp"
#include "tether/tests/support/certificates.hpp"
#include "tether/tests/support/child_node.hpp"
#include "tether/tests/support/http_call.hpp"
#include "tether/tests/support/sanitized.hpp"

using namespace tether;
using namespace std::chrono_literals;
using codec::value;
using test::child_node;

namespace {

namespace net = transport::net;

/// A short handshake timeout keeps the silent kinds quick.
constexpr auto handshake_timeout_ms = 1000;

/// The longest any bad connection may take to be closed: the handshake
/// timeout, the close timeout (2 s) and slack for a loaded machine.
constexpr auto peer_limit = 20s;

/// A line of /proc/PID/status in KiB (VmRSS, VmHWM); 0 if absent.
uint64_t status_kib(pid_t pid, const std::string& key) {
  std::ifstream in{"/proc/" + std::to_string(pid) + "/status"};
  std::string line;
  while (std::getline(in, line))
    if (line.rfind(key + ":", 0) == 0)
      return std::stoull(line.substr(key.size() + 1));
  return 0;
}

/// Lets this process (and the nodes it starts) open every descriptor the
/// hard limit allows.
void raise_descriptor_limit() {
  rlimit lim{};
  if (getrlimit(RLIMIT_NOFILE, &lim) == 0 && lim.rlim_cur < lim.rlim_max) {
    lim.rlim_cur = lim.rlim_max;
    setrlimit(RLIMIT_NOFILE, &lim);
  }
}

std::unique_ptr<child_node> start_node(std::vector<std::string> extra) {
  std::vector<std::string> args{"--listen=127.0.0.1:0", "--store=none",
                                "--handshake-timeout-ms=" +
                                    std::to_string(handshake_timeout_ms)};
  args.insert(args.end(), extra.begin(), extra.end());
  return std::make_unique<child_node>(args, test::child_options{true, {}});
}

transport::tcp::endpoint tcp_of(const client::endpoint& at) {
  return {net::ip::make_address(at.host), at.port};
}

/// How each kind's connections ended: kind, then label, then count.
using tally = std::map<std::string, std::map<std::string, int>>;

/// 100 clients that echo a KiB in rounds until told to stop; every answer
/// must be the payload sent.
class good_clients {
 public:
  good_clients(client::io_thread& io, const client::endpoint& at) {
    for (int i = 0; i < 100; ++i) {
      std::string error;
      auto c = client::client::connect(io, at, &error);
      INFO("good client " << i << ": " << error);
      REQUIRE(c);
      REQUIRE(c->hello());
      clients_.push_back(std::move(c));
    }
  }

  /// One echo from every client at once; false if any failed.
  bool round() {
    auto payload = value::of(std::string(1024, 'g'));
    std::vector<std::future<client::answer>> answers;
    for (auto& c : clients_)
      answers.push_back(c->call("sys.echo", payload));
    bool ok = true;
    for (auto& a : answers) {
      if (a.wait_for(20s) != std::future_status::ready)
        return false;
      auto x = a.get();
      ok = ok && x.ok() && x.payload == payload;
    }
    ++rounds_;
    return ok;
  }

  int rounds() const { return rounds_; }
  client::client& first() { return *clients_.front(); }

 private:
  std::vector<std::shared_ptr<client::client>> clients_;
  int rounds_ = 0;
};

} // namespace

TEST_CASE("thousands of hostile clients get the contract's answers while 100 "
          "good ones echo") {
  raise_descriptor_limit();
  test::temp_dir dir;
  auto made = test::issue(dir, "ca", "node");
  auto plain = start_node({});
  auto tls = start_node({"--tls-cert=" + made.cert, "--tls-key=" + made.key});
  auto plain_at = plain->listening();
  auto tls_at = tls->listening();
  REQUIRE(plain_at);
  REQUIRE(tls_at);

  client::io_thread io;
  good_clients good{io, *plain_at};
  REQUIRE(good.round());
  auto rss_before = status_kib(plain->pid(), "VmRSS");

  // The attack: every kind at once, on two threads of this process.
  auto kinds = test::hostile_kinds(plain_at->path);
  // A sanitizer makes the node several times slower: a fifth of the
  // connections keeps the attack within the timeouts a client waits for.
  if (test::sanitized)
    for (auto& k : kinds)
      k.count = std::max(1, k.count / 5);
  net::io_context attack;
  std::mutex mtx;
  tally ends;
  std::atomic<int> open{0};
  auto slowest = 0ms;
  int total = 0;
  for (const auto& k : kinds) {
    auto to = tcp_of(k.to_tls_node ? *tls_at : *plain_at);
    auto script =
        std::make_shared<const std::vector<test::script_step>>(k.script);
    for (int i = 0; i < k.count; ++i, ++total) {
      ++open;
      test::run_raw_peer(attack, to, script, peer_limit,
                         [&, name = k.name](const test::outcome& o) {
                           std::lock_guard<std::mutex> lock{mtx};
                           ++ends[name][o.label()];
                           slowest = std::max(slowest, o.took);
                           --open;
                         });
    }
  }
  auto started = std::chrono::steady_clock::now();
  std::vector<std::thread> runners;
  for (int i = 0; i < 2; ++i)
    runners.emplace_back([&] { attack.run(); });

  // Good clients echo and memory is sampled while the attack lasts.
  uint64_t rss_peak = 0;
  bool good_ok = true;
  while (open > 0) {
    good_ok = good.round() && good_ok;
    rss_peak = std::max(rss_peak, status_kib(plain->pid(), "VmRSS"));
  }
  for (auto& t : runners)
    t.join();
  auto attack_took = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - started);
  CHECK(good_ok);
  CHECK(good.round());

  // Memory after the attack, once the node let go of it.
  std::this_thread::sleep_for(1s);
  auto rss_after = status_kib(plain->pid(), "VmRSS");
  auto hwm = status_kib(plain->pid(), "VmHWM");
  std::ostringstream report;
  report << total << " hostile connections in " << attack_took.count()
         << " ms (slowest " << slowest.count() << " ms), " << good.rounds()
         << " echo rounds of 100 clients; plain node RSS " << rss_before
         << " KiB before, " << rss_peak << " KiB peak sampled, " << hwm
         << " KiB high water, " << rss_after << " KiB after\n";
  for (const auto& [name, labels] : ends) {
    report << "  " << name << ":";
    for (const auto& [label, n] : labels)
      report << " " << label << " x" << n;
    report << "\n";
  }
  WARN(report.str());

  // Every connection of every kind ended as the contract allows.
  for (const auto& k : kinds) {
    int seen = 0;
    for (const auto& [label, n] : ends[k.name]) {
      INFO(k.name << ": " << n << " ended with " << label);
      CHECK(k.allowed.count(label) == 1);
      seen += n;
    }
    CHECK(seen == k.count);
  }
  // Measured on the shared 2-core box (4 runs, 2,600 connections): 15 MiB
  // before, a high water of 82-91 MiB, 34-35 MiB a second after. The
  // bounds leave more than twice that: a limit that stopped working (a
  // batch decoded whole, a buffer kept) goes over them.
  if (!test::sanitized) {
    CHECK(hwm < 192 * 1024);
    CHECK(rss_after < 96 * 1024);
  }

  // Both nodes still serve, and stop cleanly.
  CHECK(test::http_call(*plain_at, "GET", "/health").status == 200);
  auto secure = *tls_at;
  secure.tls_options.ca_file = test::make_ca(dir, "ca").cert;
  CHECK(test::http_call(secure, "GET", "/health").status == 200);
  test::stop_cleanly(*plain, good.first());
  tls->signal(SIGTERM);
  CHECK(tls->wait_exit() == 0);
}
