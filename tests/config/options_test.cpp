// Options from the command line and a config file, and their precedence.

#include <cstdio>
#include <fstream>

#include <catch2/catch.hpp>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tether/config/options.hpp"

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

/// `parse_args` as a user without privileges: root reads every file, so
/// run as root the parse happens in a child that drops to nobody first.
parse_outcome parse_unprivileged(const std::vector<std::string>& args) {
  if (geteuid() != 0)
    return parse_args(args);
  int fds[2];
  REQUIRE(pipe(fds) == 0);
  auto pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    ::close(fds[0]);
    if (setgid(65534) != 0 || setuid(65534) != 0)
      _exit(3);
    auto r = parse_args(args);
    auto out = std::to_string(r.exit_code) + "\n" + r.text;
    _exit(write(fds[1], out.data(), out.size()) ==
                  static_cast<ssize_t>(out.size())
              ? 0
              : 4);
  }
  ::close(fds[1]);
  std::string got;
  char buf[512];
  for (ssize_t n; (n = read(fds[0], buf, sizeof(buf))) > 0;)
    got.append(buf, static_cast<size_t>(n));
  ::close(fds[0]);
  int status = 0;
  REQUIRE(waitpid(pid, &status, 0) == pid);
  REQUIRE(WIFEXITED(status));
  REQUIRE(WEXITSTATUS(status) == 0);
  auto nl = got.find('\n');
  REQUIRE(nl != std::string::npos);
  parse_outcome r;
  r.exit_code = std::stoi(got.substr(0, nl));
  r.text = got.substr(nl + 1);
  return r;
}

/// A refused parse: exit code 2, no options, a text saying `says`.
void check_refused(const parse_outcome& r, const std::string& says) {
  INFO("the text: " << r.text);
  CHECK_FALSE(r.opts);
  CHECK(r.exit_code == 2);
  CHECK(r.text.find(says) != std::string::npos);
}

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

TEST_CASE("the --help text lists every option with its default") {
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
           {{"--room-max-ttl-s=10", "--room-ttl-s=11"}, "room-max-ttl-s"},
           {{"--max-rooms=0"}, "max-rooms"},
           {{"--tls-key=k.pem"}, "--tls-cert and --tls-key"},
           {{"--allowed-origins=app.example.com"}, "allowed-origins"},
           {{"--max-connections-per-ip=-1"}, "max-connections-per-ip"},
       }) {
    auto r = parse_args(c.args);
    CHECK_FALSE(r.opts);
    CHECK(r.exit_code == 2);
    CHECK(r.text.find(c.says) != std::string::npos);
  }
}

TEST_CASE("allowed origins are taken repeated or comma-separated and "
          "without a trailing slash") {
  auto r = parse_args({"--allowed-origins=https://a.example, http://b:8080/",
                       "--allowed-origins", "https://c.example"});
  REQUIRE(r.opts);
  CHECK(r.opts->allowed_origins ==
        std::vector<std::string>{"https://a.example", "http://b:8080",
                                 "https://c.example"});
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

TEST_CASE("unsigned options refuse signs, non-numbers and values beyond "
          "their type") {
  struct bad_case {
    std::vector<std::string> args;
    std::string says;
  };
  const std::string u64 = "from 1 to 18446744073709551615";
  for (const auto& c : std::vector<bad_case>{
           // Used to wrap to 2^64-5: no limit at all.
           {{"--max-inflight", "-5"},
            "--max-inflight takes a whole number " + u64 +
                ", not '-5' (negative)"},
           {{"--max-inflight=-5"}, "--max-inflight takes"},
           {{"--max-inflight=-0"}, "not '-0' (negative)"},
           {{"--max-inflight=+5"}, "not '+5'"},
           {{"--max-inflight=0x10"}, "not '0x10'"},
           {{"--max-inflight=5 "}, "not '5 '"},
           {{"--max-inflight=1e3"}, "not '1e3'"},
           {{"--max-inflight="}, "max-inflight"},
           {{"--max-inflight=18446744073709551616"},
            "not '18446744073709551616' (too large)"},
           {{"--max-inflight=99999999999999999999999"}, "(too large)"},
           {{"--session-ttl-s=-1"}, "--session-ttl-s takes"},
           {{"--room-max-members=-1"},
            "--room-max-members takes a whole number from 0 to "
            "18446744073709551615, not '-1' (negative)"},
           {{"--shutdown-grace-ms=-100"}, "--shutdown-grace-ms takes"},
           {{"--store-flush-ms=-1"}, "--store-flush-ms takes"},
           {{"--store-flush-ms=60001"},
            "--store-flush-ms takes a whole number from 1 to 60000, not "
            "'60001' (too large)"},
           {{"--store-flush-ms=0"}, "not '0' (too small)"},
           {{"--max-message=10"},
            "--max-message takes a whole number from 64 to"},
           // unsigned (32 bits) thread counts
           {{"--io-threads=-1"},
            "--io-threads takes a whole number from 1 to 4294967295, not "
            "'-1' (negative)"},
           {{"--io-threads=4294967296"}, "not '4294967296' (too large)"},
           {{"--actor-threads=-2"}, "--actor-threads takes"},
           {{"--actor-threads=two"}, "not 'two'"},
           // the 16-bit port
           {{"--listen=127.0.0.1:65536"},
            "--listen takes HOST:PORT with a port from 0 to 65535, not "
            "'127.0.0.1:65536'"},
           {{"--listen=127.0.0.1:-1"}, "not '127.0.0.1:-1'"},
           {{"--listen=127.0.0.1:+80"}, "not '127.0.0.1:+80'"},
           {{"--listen=127.0.0.1: 80"}, "not '127.0.0.1: 80'"},
           {{"--listen=127.0.0.1:4294967376"}, "not '127.0.0.1:4294967376'"},
       }) {
    INFO(c.args.front());
    check_refused(parse_args(c.args), c.says);
  }
}

TEST_CASE("unsigned options take every value of their range") {
  auto r = parse_args({"--max-inflight=18446744073709551615",
                       "--io-threads=4294967295", "--store-flush-ms=60000",
                       "--max-message=64", "--room-ttl-s=0",
                       "--listen=[::1]:65535", "--max-streams=007"});
  REQUIRE(r.opts);
  CHECK(r.opts->lim.max_inflight == 18446744073709551615u);
  CHECK(r.opts->io_threads == 4294967295u);
  CHECK(r.opts->store_flush_ms == 60000);
  CHECK(r.opts->lim.max_message == 64);
  CHECK(r.opts->lim.room_ttl_s == 0);
  CHECK(r.opts->listen_host == "::1");
  CHECK(r.opts->listen_port == 65535);
  CHECK(r.opts->lim.max_streams == 7);
}

TEST_CASE("other values are checked as they are read") {
  check_refused(parse_args({"--sched-batch=maybe"}),
                "--sched-batch takes true or false, not 'maybe'");
  check_refused(parse_args({"--scheduler=fifo"}),
                "--scheduler takes sharing or stealing, not 'fifo'");
  check_refused(parse_args({"--auth=ldap"}),
                "--auth takes anonymous or jwt, not 'ldap'");
  check_refused(parse_args({"--secret=abc"}),
                "--secret takes 64 hex digits, not 3 characters");
  // Never echoes the secret.
  auto r = parse_args({"--secret=" + std::string(63, 'a') + "g"});
  check_refused(r, "--secret takes 64 hex digits");
  CHECK(r.text.find("aaaa") == std::string::npos);
  check_refused(parse_args({"--max-inflight=5", "--max-inflight=6"}),
                "'--max-inflight' cannot be specified more than once");
}

TEST_CASE("a --config naming a directory or a file that cannot be read is "
          "refused, naming the path") {
  char dir[] = "/tmp/tether-options-dir-XXXXXX";
  REQUIRE(mkdtemp(dir) != nullptr);
  auto in_dir = parse_args({"--config", dir});
  ::rmdir(dir);
  check_refused(in_dir, "cannot read config file '" + std::string{dir} +
                            "': it is a directory");

  check_refused(parse_args({"--config=/nonexistent/tether.conf"}),
                "cannot read config file '/nonexistent/tether.conf': No such "
                "file or directory");
  check_refused(parse_args({"--config", ""}), "cannot read config file ''");

  temp_file f{"max-inflight = 11\n"};
  REQUIRE(::chmod(f.path.c_str(), 0) == 0);
  check_refused(parse_unprivileged({"--config", f.path}),
                "cannot read config file '" + f.path + "': Permission denied");
}

TEST_CASE("a config file's errors name the file and the line") {
  struct bad_case {
    std::string text;
    std::string says; // after "FILE:"
  };
  for (const auto& c : std::vector<bad_case>{
           {"# comment\n\nmax-inflight = 11\nmax-inflite = 3\n",
            "4: unknown option 'max-inflite'"},
           {"max-inflight = 11\nheartbeat-ms = -5\n",
            "2: heartbeat-ms takes a whole number from 1 to "
            "18446744073709551615, not '-5' (negative)"},
           {"io-threads = 4294967296\n", "1: io-threads takes"},
           {"max-inflight = \n", "1: max-inflight takes"},
           {"sys-ops = maybe\r\n", "1: sys-ops takes true or false, not "
                                   "'maybe'"},
           {"listen = 0.0.0.0:9000\nthis is not an option\n",
            "2: expected 'name = value', not 'this is not an option'"},
           {"= 5\n", "1: expected 'name = value'"},
           {"[limits]\nmax-inflight = 3\n", "1: sections such as '[limits]'"},
           {"max-inflight = 3\nack-every = 2\nmax-inflight = 4\n",
            "3: max-inflight is set twice (first on line 1)"},
           {"listen = nohost\n", "1: listen takes HOST:PORT"},
           {"log-level = loud\n", "1: log-level takes debug, info, warning "
                                  "or error, not 'loud'"},
           {"help = true\n", "1: 'help' cannot be set in a config file"},
           {"\nauth = jwt\n", "2: auth = jwt needs jwt-secret"},
       }) {
    INFO(c.text);
    temp_file f{c.text};
    check_refused(parse_args({"--config", f.path}), f.path + ":" + c.says);
  }
}

TEST_CASE("a bad value in the config file is refused even when the command "
          "line overrides it") {
  temp_file f{"max-inflight = -5\n"};
  check_refused(parse_args({"--config", f.path, "--max-inflight=4"}),
                f.path + ":1: max-inflight takes");
}

TEST_CASE("a config file keeps its meaning: comments, CRLF, spaces") {
  temp_file f{"# tether.conf\r\n"
              "listen = 0.0.0.0:9000\r\n"
              "  max-inflight=256   # more than the default\n"
              "node-name = my node\n"
              "sys-ops = false\n"
              "sched-batch = no\n"
              "store = none\n"
              "store-flush-ms = 250\n"};
  auto r = parse_args({"--config", f.path});
  INFO(r.text);
  REQUIRE(r.opts);
  CHECK(r.opts->listen_host == "0.0.0.0");
  CHECK(r.opts->listen_port == 9000);
  CHECK(r.opts->lim.max_inflight == 256);
  CHECK(r.opts->node_name == "my node");
  CHECK_FALSE(r.opts->sys_ops);
  CHECK_FALSE(r.opts->sched_batch);
  CHECK(r.opts->store_path().empty());
  CHECK(r.opts->store_flush_ms == 250);
  CHECK(r.opts->config_file == f.path);
}

TEST_CASE("stray positional arguments are refused") {
  check_refused(parse_args({"foo"}),
                "unexpected argument 'foo': options are --name=value");
  check_refused(parse_args({"--max-inflight", "5", "6"}),
                "unexpected argument '6'");
  check_refused(parse_args({"--", "--max-inflight=5"}),
                "unexpected argument '--max-inflight=5'");
  // A config file given without --config is a stray argument too.
  check_refused(parse_args({"tether.conf"}), "unexpected argument "
                                             "'tether.conf'");
}

TEST_CASE("a config file cannot name another config file") {
  temp_file other{"max-inflight = 3\n"};
  temp_file f{"max-inflight = 11\nconfig = " + other.path + "\n"};
  check_refused(parse_args({"--config", f.path}),
                f.path + ":2: 'config' cannot be set in a config file");
}

TEST_CASE("every option keeps its meaning") {
  auto r = parse_args({"--listen=0.0.0.0:7000",
                       "--ws-path=/tether",
                       "--node-name=n1",
                       "--io-threads=2",
                       "--actor-threads=3",
                       "--scheduler=stealing",
                       "--sched-batch=false",
                       "--log-level=warning",
                       "--sys-ops=off",
                       "--data-dir=/var/lib/tether",
                       "--store=/tmp/x.db",
                       "--store-flush-ms=100",
                       "--secret=" + std::string(64, 'A'),
                       "--max-message=4096",
                       "--max-inflight=9",
                       "--max-streams=3",
                       "--session-ttl-s=7",
                       "--ack-every=5",
                       "--max-connections=4",
                       "--max-outbox-bytes=1000",
                       "--max-outbox-frames=100",
                       "--room-max-members=20",
                       "--room-ttl-s=30",
                       "--invite-ttl-s=40",
                       "--heartbeat-ms=1000",
                       "--handshake-timeout-ms=500",
                       "--retry-after-ms=70",
                       "--shutdown-grace-ms=800",
                       "--batch-max-bytes=2048",
                       "--token-ttl-s=3600",
                       "--auth=jwt",
                       "--jwt-secret=s3cret",
                       "--allow-anonymous=true"});
  INFO(r.text);
  REQUIRE(r.opts);
  const auto& o = *r.opts;
  CHECK(o.listen_host == "0.0.0.0");
  CHECK(o.listen_port == 7000);
  CHECK(o.ws_path == "/tether");
  CHECK(o.node_name == "n1");
  CHECK(o.io_threads == 2);
  CHECK(o.actor_threads == 3);
  CHECK(o.scheduler == "stealing");
  CHECK_FALSE(o.sched_batch);
  CHECK(o.log_level == "warning");
  CHECK_FALSE(o.sys_ops);
  CHECK(o.data_dir == "/var/lib/tether");
  CHECK(o.store_path() == "/tmp/x.db");
  CHECK(o.store_flush_ms == 100);
  CHECK(o.secret == std::string(64, 'A'));
  CHECK(o.lim.max_message == 4096);
  CHECK(o.lim.max_inflight == 9);
  CHECK(o.lim.max_streams == 3);
  CHECK(o.lim.session_ttl_s == 7);
  CHECK(o.lim.ack_every == 5);
  CHECK(o.lim.max_connections == 4);
  CHECK(o.lim.max_outbox_bytes == 1000);
  CHECK(o.lim.max_outbox_frames == 100);
  CHECK(o.lim.room_max_members == 20);
  CHECK(o.lim.room_ttl_s == 30);
  CHECK(o.lim.invite_ttl_s == 40);
  CHECK(o.lim.heartbeat_ms == 1000);
  CHECK(o.lim.handshake_timeout_ms == 500);
  CHECK(o.lim.retry_after_ms == 70);
  CHECK(o.lim.shutdown_grace_ms == 800);
  CHECK(o.lim.batch_max_bytes == 2048);
  CHECK(o.lim.token_ttl_s == 3600);
  CHECK(o.auth == "jwt");
  CHECK(o.jwt_secret == "s3cret");
  CHECK(o.allow_anonymous);

  auto d = parse_args({"--data-dir=/d"});
  REQUIRE(d.opts);
  CHECK(d.opts->store_path() == "/d/store.db");
  CHECK(d.opts->store_flush_ms == 10);
  CHECK(d.opts->log_level == "info");
  CHECK(d.opts->sys_ops);
  CHECK_FALSE(d.opts->allow_anonymous);
}

TEST_CASE(
    "the --help text starts with the usage, exits 0 and shows booleans as true "
    "or false") {
  auto r = parse_args({"--help"});
  CHECK_FALSE(r.opts);
  CHECK(r.exit_code == 0);
  CHECK(r.text.rfind("Usage: tether-node [OPTION...]\n", 0) == 0);
  CHECK(r.text.find("--sched-batch arg (=true)") != std::string::npos);
  CHECK(r.text.find("--sys-ops arg (=true)") != std::string::npos);
  CHECK(r.text.find("--allow-anonymous arg (=false)") != std::string::npos);
  CHECK(r.text.find("(=1)\n") == std::string::npos);
  CHECK(r.text.find("(=0)\n") == std::string::npos);
  CHECK(r.text.find("--store PATH") != std::string::npos);
  CHECK(r.text.find("--store-flush-ms arg (=10)") != std::string::npos);
}
