// Options from the command line and a config file, and their precedence.

#include <cstdio>
#include <fstream>

#include <catch2/catch.hpp>
#include <unistd.h>

#include "config/options.hpp"

using namespace tether::config;

namespace {

parse_outcome parse_args(std::vector<std::string> args) {
  args.insert(args.begin(), "tether-node");
  std::vector<const char*> argv;
  for (auto& a : args)
    argv.push_back(a.c_str());
  return parse(static_cast<int>(argv.size()), argv.data());
}

/// A config file that removes itself.
struct temp_file {
  std::string path;
  explicit temp_file(const std::string& text) {
    char name[] = "/tmp/tether-options-XXXXXX";
    int fd = mkstemp(name);
    REQUIRE(fd >= 0);
    ::close(fd);
    path = name;
    std::ofstream{path} << text;
  }
  ~temp_file() { std::remove(path.c_str()); }
};

} // namespace

TEST_CASE("no options give the embedded defaults") {
  auto r = parse_args({});
  REQUIRE(r.opts);
  const options defaults;
  CHECK(r.opts->listen_host == "127.0.0.1");
  CHECK(r.opts->listen_port == 8080);
  CHECK(r.opts->lim.max_message == defaults.lim.max_message);
  CHECK(r.opts->lim.heartbeat_ms == defaults.lim.heartbeat_ms);
  CHECK(r.opts->scheduler == "sharing");
  CHECK(r.opts->sched_batch);
}

TEST_CASE("sched-batch can be turned off") {
  auto r = parse_args({"--sched-batch=false"});
  REQUIRE(r.opts);
  CHECK_FALSE(r.opts->sched_batch);
}

TEST_CASE("both --name=value and --name value are accepted") {
  auto r = parse_args({"--listen", "0.0.0.0:0", "--max-message=2048",
                       "--max-inflight", "9", "--max-streams=3",
                       "--session-ttl-s=7", "--ack-every=5",
                       "--heartbeat-ms=1000", "--handshake-timeout-ms=500"});
  REQUIRE(r.opts);
  CHECK(r.opts->listen_host == "0.0.0.0");
  CHECK(r.opts->listen_port == 0);
  CHECK(r.opts->lim.max_message == 2048);
  CHECK(r.opts->lim.max_inflight == 9);
  CHECK(r.opts->lim.max_streams == 3);
  CHECK(r.opts->lim.session_ttl_s == 7);
  CHECK(r.opts->lim.ack_every == 5);
  CHECK(r.opts->lim.heartbeat_ms == 1000);
  CHECK(r.opts->lim.handshake_timeout_ms == 500);
}

TEST_CASE("the config file sets options and the command line wins over it") {
  temp_file f{"# a comment\nmax-inflight = 11\nheartbeat-ms = 2000\n"
              "listen = 127.0.0.1:9999\n"};
  auto r = parse_args({"--config", f.path, "--heartbeat-ms=3000"});
  REQUIRE(r.opts);
  CHECK(r.opts->lim.max_inflight == 11);
  CHECK(r.opts->lim.heartbeat_ms == 3000);
  CHECK(r.opts->listen_port == 9999);
}

TEST_CASE("--help lists every option with its default") {
  auto r = parse_args({"--help"});
  CHECK_FALSE(r.opts);
  CHECK(r.exit_code == 0);
  for (auto name :
       {"--listen", "--max-message", "--max-inflight", "--max-streams",
        "--session-ttl-s", "--ack-every", "--heartbeat-ms",
        "--handshake-timeout-ms", "--shutdown-grace-ms", "--config"})
    CHECK(r.text.find(name) != std::string::npos);
  CHECK(r.text.find("(=127.0.0.1:8080)") != std::string::npos);
  CHECK(r.text.find("(=1048576)") != std::string::npos);
}

TEST_CASE("bad options are refused with a clear message and exit code 2") {
  struct bad_case {
    std::vector<std::string> args;
    std::string says;
  };
  for (const auto& c : std::vector<bad_case>{
           {{"--bogus=1"}, "bogus"},
           {{"--listen=nohost"}, "HOST:PORT"},
           {{"--listen=h:99999"}, "HOST:PORT"},
           {{"--max-inflight=abc"}, "max-inflight"},
           {{"--max-message=10"}, "max-message"},
           {{"--heartbeat-ms=0"}, "heartbeat-ms"},
           {{"--log-level=loud"}, "log-level"},
           {{"--ws-path=ws"}, "ws-path"},
           {{"--scheduler=fifo"}, "scheduler"},
           {{"--config=/nonexistent/file"}, "cannot read"},
       }) {
    auto r = parse_args(c.args);
    CHECK_FALSE(r.opts);
    CHECK(r.exit_code == 2);
    CHECK(r.text.find(c.says) != std::string::npos);
  }
}

TEST_CASE("an unknown key in the config file is refused") {
  temp_file f{"max-inflite = 11\n"};
  auto r = parse_args({"--config", f.path});
  CHECK_FALSE(r.opts);
  CHECK(r.exit_code == 2);
}

TEST_CASE("split_host_port reads IPv4 and names and bracketed IPv6") {
  std::string host;
  uint16_t port = 0;
  CHECK(split_host_port("[::1]:80", host, port));
  CHECK(host == "::1");
  CHECK(port == 80);
  CHECK(split_host_port("localhost:0", host, port));
  CHECK(host == "localhost");
  CHECK_FALSE(split_host_port(":80", host, port));
  CHECK_FALSE(split_host_port("a:", host, port));
  CHECK_FALSE(split_host_port("a:80x", host, port));
}
