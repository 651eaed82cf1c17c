#include "tether/config/options.hpp"
#include "tether/config/version.hpp"

#include <cctype>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <functional>
#include <limits>
#include <map>
#include <sstream>
#include <stdexcept>
#include <type_traits>
#include <vector>

#include <sys/stat.h>

#include <boost/program_options.hpp>

namespace tether::config {

namespace po = boost::program_options;

bool split_host_port(const std::string& text, std::string& host,
                     uint16_t& port) {
  auto colon = text.rfind(':');
  if (colon == std::string::npos || colon + 1 >= text.size())
    return false;
  host = text.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  if (host.empty())
    return false;
  // Digits only: no sign, no spaces, no hex.
  uint32_t n = 0;
  for (auto i = colon + 1; i < text.size(); ++i) {
    if (text[i] < '0' || text[i] > '9')
      return false;
    n = n * 10 + static_cast<uint32_t>(text[i] - '0');
    if (n > 65535)
      return false;
  }
  port = static_cast<uint16_t>(n);
  return true;
}

namespace {

/// A value an option refuses. `what()` says why, after the option's name:
/// the caller prefixes "--name" or "FILE:LINE: name".
struct bad_value : std::runtime_error {
  std::string option;
  bad_value(std::string name, const std::string& why)
      : std::runtime_error(why), option(std::move(name)) {}
};

/// A value read strictly: `read` turns the text into a value or says what
/// is wrong with it (Boost's own conversions let "-5" wrap around).
template <class T> class checked_value : public po::typed_value<T> {
 public:
  /// Empty when `text` is fine (and `out` set), else why not.
  using reader = std::function<std::string(const std::string& text, T& out)>;

  checked_value(T* target, std::string name, reader read)
      : po::typed_value<T>(target), name_(std::move(name)),
        read_(std::move(read)) {}

  void xparse(boost::any& store,
              const std::vector<std::string>& tokens) const override {
    if (!store.empty())
      throw po::multiple_occurrences();
    if (tokens.size() != 1)
      throw po::invalid_syntax(po::invalid_syntax::missing_parameter);
    T value{};
    if (auto why = read_(tokens.front(), value); !why.empty())
      throw bad_value{name_, why};
    store = value;
  }

 private:
  std::string name_;
  reader read_;
};

template <class T>
checked_value<T>* checked(T* target, const char* name,
                          typename checked_value<T>::reader read) {
  return new checked_value<T>(target, name, std::move(read));
}

/// Adds one option; one call per option keeps the table readable.
void add(po::options_description& group, const char* name,
         const po::value_semantic* value, const char* help) {
  group.add_options()(name, value, help);
}

/// A text option without a default, shown as `value_name`.
void text(po::options_description& group, const char* name, std::string* target,
          const char* value_name, const char* help) {
  add(group, name, po::value<std::string>(target)->value_name(value_name),
      help);
}

template <class T>
po::typed_value<T>* with_default(T* target, const T& fallback) {
  return po::value<T>(target)->default_value(fallback);
}

/// An unsigned option: digits only (no sign, no spaces), from `min` to
/// `max`, which defaults to the largest its type holds.
template <class T>
void number(po::options_description& group, const char* name, T* target,
            T fallback, const char* help, T min = 0,
            T max = std::numeric_limits<T>::max()) {
  static_assert(std::is_unsigned_v<T>);
  auto read = [min, max](const std::string& text, T& out) -> std::string {
    auto range = "takes a whole number from " + std::to_string(min) + " to " +
                 std::to_string(max) + ", not '" + text + "'";
    if (text.empty())
      return range + " (empty)";
    bool digits = true;
    for (auto c : text)
      digits = digits && c >= '0' && c <= '9';
    if (!digits)
      return text.size() > 1 && text[0] == '-' &&
                     text.find_first_not_of("0123456789", 1) ==
                         std::string::npos
                 ? range + " (negative)"
                 : range;
    T n = 0;
    for (auto c : text) {
      auto d = static_cast<T>(c - '0');
      if (n > (max - d) / 10)
        return range + " (too large)";
      n = static_cast<T>(n * 10 + d);
    }
    if (n < min)
      return range + " (too small)";
    out = n;
    return {};
  };
  add(group, name, checked(target, name, read)->default_value(fallback), help);
}

/// A boolean option, shown as true or false.
void flag(po::options_description& group, const char* name, bool* target,
          bool fallback, const char* help) {
  auto read = [](const std::string& text, bool& out) -> std::string {
    std::string s;
    for (auto c : text)
      s += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (s == "true" || s == "yes" || s == "on" || s == "1")
      out = true;
    else if (s == "false" || s == "no" || s == "off" || s == "0")
      out = false;
    else
      return "takes true or false, not '" + text + "'";
    return {};
  };
  add(group, name,
      checked(target, name, read)
          ->default_value(fallback, fallback ? "true" : "false"),
      help);
}

/// A text option with a few possible values.
void choice(po::options_description& group, const char* name,
            std::string* target, const std::string& fallback,
            std::vector<std::string> choices, const char* help) {
  auto read = [choices](const std::string& text,
                        std::string& out) -> std::string {
    for (const auto& c : choices)
      if (text == c) {
        out = text;
        return {};
      }
    std::string list;
    for (size_t i = 0; i < choices.size(); ++i)
      list += (i == 0                    ? ""
               : i + 1 == choices.size() ? " or "
                                         : ", ") +
              choices[i];
    return "takes " + list + ", not '" + text + "'";
  };
  add(group, name, checked(target, name, read)->default_value(fallback), help);
}

std::string read_listen(const std::string& text, std::string& out) {
  std::string host;
  uint16_t port = 0;
  if (!split_host_port(text, host, port))
    return "takes HOST:PORT with a port from 0 to 65535, not '" + text + "'";
  out = text;
  return {};
}

std::string read_ws_path(const std::string& text, std::string& out) {
  if (text.empty() || text.front() != '/')
    return "must start with '/', not '" + text + "'";
  out = text;
  return {};
}

std::string read_directory(const std::string& text, std::string& out) {
  struct stat st {};
  if (::stat(text.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
    return "takes a directory, and '" + text + "' is none";
  out = text;
  return {};
}

/// Says nothing of the secret itself: error messages end up in logs.
std::string read_secret(const std::string& text, std::string& out) {
  if (text.size() != 64)
    return "takes 64 hex digits, not " + std::to_string(text.size()) +
           " characters";
  if (text.find_first_not_of("0123456789abcdefABCDEF") != std::string::npos)
    return "takes 64 hex digits, not other characters";
  out = text;
  return {};
}

/// All options, with their defaults taken from `d`.
po::options_description describe(const options& d, std::string& listen,
                                 options& out) {
  auto& l = out.lim;
  const auto& dl = d.lim;
  po::options_description general("General");
  general.add_options()("help,h", "print this help and exit");
  general.add_options()("version", "print the version and exit");
  text(general, "config", &out.config_file, "FILE",
       "read options from FILE (lines of 'name = value'; the command line "
       "wins)");
  add(general, "listen",
      checked(&listen, "listen", read_listen)
          ->default_value(d.listen_host + ":" + std::to_string(d.listen_port))
          ->value_name("HOST:PORT"),
      "address to listen on; port 0 picks a free port");
  add(general, "ws-path",
      checked(&out.ws_path, "ws-path", read_ws_path)->default_value(d.ws_path),
      "path of the WebSocket endpoint");
  text(general, "node-name", &out.node_name, "NAME",
       "name of this node in WELCOME and sys.info (default: the host name)");
  number(general, "io-threads", &out.io_threads, d.io_threads,
         "threads running the sockets", 1u);
  number(general, "actor-threads", &out.actor_threads, d.actor_threads,
         "threads running the actors", 1u);
  choice(general, "scheduler", &out.scheduler, d.scheduler,
         {"sharing", "stealing"},
         "CAF scheduler: sharing (idle threads sleep) or stealing (idle "
         "threads poll)");
  flag(general, "sched-batch", &out.sched_batch, d.sched_batch,
       "run the node's threads as SCHED_BATCH, so that threads sharing a core "
       "hand each other batches instead of preempting (true or false)");
  choice(general, "log-level", &out.log_level, d.log_level,
         {"debug", "info", "warning", "error"},
         "debug, info, warning or error");
  choice(general, "log-format", &out.log_format, d.log_format, {"text", "json"},
         "text (one readable line each) or json (one JSON object per line, "
         "for log shippers)");
  flag(general, "sys-ops", &out.sys_ops, d.sys_ops,
       "bind the built-in sys.* ops (true or false)");
  add(general, "data-dir",
      with_default(&out.data_dir, d.data_dir)->value_name("DIR"),
      "where the node keeps its files (the token secret, the store)");
  text(general, "store", &out.store, "PATH",
       "the store's file, which keeps sessions and rooms across restarts "
       "(default: DIR/store.db; none: no store)");
  number(general, "store-flush-ms", &out.store_flush_ms, d.store_flush_ms,
         "the longest a change waits for its commit: what a crash may lose",
         uint64_t{1}, uint64_t{60000});
  add(general, "secret",
      checked(&out.secret, "secret", read_secret)->value_name("HEX"),
      "stream token secret, 64 hex digits, shared by a cluster (default: "
      "made once and kept in DIR/secret, readable by the owner only)");

  po::options_description cluster("Cluster");
  add(cluster, "cluster-listen",
      checked(&out.cluster_listen, "cluster-listen", read_listen)
          ->value_name("HOST:PORT"),
      "where other nodes join this one (port 0 picks a free port); needs "
      "--secret");
  add(cluster, "join",
      po::value<std::vector<std::string>>(&out.joins)
          ->composing()
          ->value_name("HOST:PORT"),
      "the cluster address of a node to join (repeat it, or separate with "
      "commas, for more); needs --cluster-listen");
  text(cluster, "public-url", &out.public_url, "URL",
       "the client URL other nodes name in redirects to this one (default: "
       "from --listen)");
  text(cluster, "cluster-tls-cert", &out.cluster_tls_cert, "FILE",
       "PEM certificate chain of this node for TLS between the nodes");
  text(cluster, "cluster-tls-key", &out.cluster_tls_key, "FILE",
       "PEM key of --cluster-tls-cert");
  text(cluster, "cluster-tls-ca", &out.cluster_tls_ca, "FILE",
       "PEM CA that every peer's certificate must be signed by");

  po::options_description admin("Operators");
  text(admin, "admin-token", &out.admin_token, "TOKEN",
       "enables the admin API (/api/v1/...) for requests with 'Authorization: "
       "Bearer TOKEN'");
  add(admin, "static",
      checked(&out.static_dir, "static", read_directory)->value_name("DIR"),
      "serve the files under DIR to GET requests at --static-path (a web "
      "app, such as examples/chat/web); /tether.js is always served");
  add(admin, "static-path",
      checked(&out.static_path, "static-path", read_ws_path)
          ->default_value(d.static_path)
          ->value_name("PATH"),
      "the path prefix --static serves its files at (a directory's "
      "index.html at its own path)");

  po::options_description limits_desc("Limits (WELCOME reports them)");
  number(limits_desc, "max-message", &l.max_message, dl.max_message,
         "largest WebSocket message accepted, in bytes (larger: CLOSE 4)",
         uint64_t{64});
  number(limits_desc, "max-fragments", &l.max_fragments, dl.max_fragments,
         "WebSocket frames (reads) one message may arrive in (more: CLOSE 4); "
         "raise it with --max-message",
         uint64_t{1});
  number(limits_desc, "max-batch-frames", &l.max_batch_frames,
         dl.max_batch_frames,
         "frames one WebSocket message may carry (more: CLOSE 4)", uint64_t{1});
  number(limits_desc, "max-inflight", &l.max_inflight, dl.max_inflight,
         "requests a client may have open at once (more: RETRY overloaded)",
         uint64_t{1});
  number(limits_desc, "max-streams", &l.max_streams, dl.max_streams,
         "streamed requests open at once (more: RETRY stream_limit)",
         uint64_t{1});
  number(limits_desc, "session-ttl-s", &l.session_ttl_s, dl.session_ttl_s,
         "seconds a session outlives its last connection", uint64_t{1});
  number(limits_desc, "ack-every", &l.ack_every, dl.ack_every,
         "a client acknowledges at least every this many frames", uint64_t{1});
  number(limits_desc, "max-connections", &l.max_connections, dl.max_connections,
         "connections attached to one session at once (more: ERROR "
         "max_connections)",
         uint64_t{1});
  number(limits_desc, "max-outbox-bytes", &l.max_outbox_bytes,
         dl.max_outbox_bytes,
         "bytes kept unacknowledged or queued for a client before CLOSE 7",
         uint64_t{1});
  number(limits_desc, "max-kept-bytes", &l.max_kept_bytes, dl.max_kept_bytes,
         "bytes all streams of the node keep unacknowledged together; past "
         "it, streams that are behind get CLOSE 7 (0: no limit)");
  number(limits_desc, "max-outbox-frames", &l.max_outbox_frames,
         dl.max_outbox_frames,
         "frames a stream keeps unacknowledged before CLOSE 7", uint64_t{1});
  number(limits_desc, "lossy-after", &l.lossy_after, dl.lossy_after,
         "frames a stream keeps unacknowledged beyond which it skips room "
         "messages sent with delivery 'drop'");

  number(limits_desc, "room-max-members", &l.room_max_members,
         dl.room_max_members,
         "members a room may have (default and ceiling of max_members)");
  number(limits_desc, "room-ttl-s", &l.room_ttl_s, dl.room_ttl_s,
         "seconds an empty room lives on (default of ttl_s)");
  number(limits_desc, "room-max-ttl-s", &l.room_max_ttl_s, dl.room_max_ttl_s,
         "longest ttl_s a room may ask for");
  number(limits_desc, "max-rooms", &l.max_rooms, dl.max_rooms,
         "rooms a node holds at once (room.create beyond: RETRY overloaded)",
         uint64_t{1});
  number(limits_desc, "max-rooms-per-session", &l.max_rooms_per_session,
         dl.max_rooms_per_session,
         "rooms one session may have made that still exist (room.create "
         "beyond: ERROR forbidden)",
         uint64_t{1});
  number(limits_desc, "push-max-count", &l.push_max_count, dl.push_max_count,
         "SIGNALs one sys.push may ask for");
  number(limits_desc, "request-rate", &l.request_rate, dl.request_rate,
         "requests per second a connection may start; more get RETRY "
         "rate_limit (0: no limit)");
  number(limits_desc, "request-burst", &l.request_burst, dl.request_burst,
         "requests a connection may start at once under --request-rate (0: "
         "as many as the rate)");
  number(limits_desc, "session-request-rate", &l.session_request_rate,
         dl.session_request_rate,
         "requests per second all connections of one session may start "
         "together; more get RETRY rate_limit (0: no limit)");
  number(limits_desc, "session-request-burst", &l.session_request_burst,
         dl.session_request_burst,
         "requests a session may start at once under --session-request-rate "
         "(0: as many as the rate)");
  number(limits_desc, "max-session-misses", &l.max_session_misses,
         dl.max_session_misses,
         "SESSION_ATTACH/RESUME refused as not found before CLOSE 8",
         uint64_t{1});
  number(limits_desc, "room-max-props", &l.room_max_props, dl.room_max_props,
         "properties a room may hold");
  number(limits_desc, "room-max-props-bytes", &l.room_max_props_bytes,
         dl.room_max_props_bytes,
         "bytes a room's properties may take, keys and values");
  number(limits_desc, "invite-ttl-s", &l.invite_ttl_s, dl.invite_ttl_s,
         "seconds an invite is valid (default of ttl_s)");

  po::options_description timing("Timing");
  number(timing, "heartbeat-ms", &l.heartbeat_ms, dl.heartbeat_ms,
         "heartbeat interval; 3 silent intervals: CLOSE 3", uint64_t{1});
  number(timing, "handshake-timeout-ms", &l.handshake_timeout_ms,
         dl.handshake_timeout_ms,
         "time a new connection has to send its HTTP request (then 408) and "
         "HELLO (then CLOSE 3)",
         uint64_t{1});
  number(timing, "retry-after-ms", &l.retry_after_ms, dl.retry_after_ms,
         "wait suggested in RETRY to a client over a limit");
  number(timing, "shutdown-grace-ms", &l.shutdown_grace_ms,
         dl.shutdown_grace_ms,
         "on SIGINT/SIGTERM, time open requests get to finish");
  number(timing, "batch-max-bytes", &l.batch_max_bytes, dl.batch_max_bytes,
         "bytes at which a batch is written at once");
  number(timing, "token-ttl-s", &l.token_ttl_s, dl.token_ttl_s,
         "lifetime of a stream token, in seconds", uint64_t{1});

  po::options_description auth_desc("Authentication");
  choice(auth_desc, "auth", &out.auth, d.auth, {"anonymous", "jwt"},
         "anonymous (everyone is let in) or jwt (HELLO auth {token: JWT}, "
         "HS256; refused: CLOSE 8)");
  text(auth_desc, "jwt-secret", &out.jwt_secret, "TEXT",
       "the HS256 secret JWTs are signed with (with --auth=jwt)");
  flag(auth_desc, "allow-anonymous", &out.allow_anonymous, d.allow_anonymous,
       "with --auth=jwt, let in an empty auth map too");
  po::options_description security("Security");
  text(security, "tls-cert", &out.tls_cert, "FILE",
       "PEM certificate chain: serve TLS (wss://, https://) as well as plain "
       "clients on the --listen port; SIGHUP reloads it");
  text(security, "tls-key", &out.tls_key, "FILE", "PEM key of --tls-cert");
  add(security, "allowed-origins",
      po::value<std::vector<std::string>>(&out.allowed_origins)
          ->composing()
          ->value_name("ORIGIN,..."),
      "origins browsers may connect from (e.g. https://app.example.com; "
      "repeat it or separate with commas); others get 403 (default: any)");
  number(security, "max-connections-per-ip", &out.max_connections_per_ip,
         d.max_connections_per_ip,
         "open connections one IP address may have; more get HTTP 429 (0: no "
         "limit)");
  number(security, "max-total-connections", &out.max_total_connections,
         d.max_total_connections,
         "open connections the node takes; a WebSocket over it gets CLOSE 9 "
         "overloaded, an HTTP request 503 (0: no limit)");
  number(security, "connect-rate-per-ip", &out.connect_rate_per_ip,
         d.connect_rate_per_ip,
         "new connections per second one IP address may open; more get HTTP "
         "429 (0: no limit)");
  number(security, "connect-burst-per-ip", &out.connect_burst_per_ip,
         d.connect_burst_per_ip,
         "new connections one IP address may open at once under "
         "--connect-rate-per-ip (0: as many as the rate)");
  po::options_description all;
  all.add(general)
      .add(security)
      .add(cluster)
      .add(admin)
      .add(limits_desc)
      .add(timing)
      .add(auth_desc);
  return all;
}

/// Where an option's value came from: "FILE:LINE" for a config file line.
using origins = std::map<std::string, std::string>;

std::string trim(const std::string& s) {
  const char* space = " \t\r\n\f\v";
  auto first = s.find_first_not_of(space);
  if (first == std::string::npos)
    return {};
  return s.substr(first, s.find_last_not_of(space) - first + 1);
}

/// Reads the config file into `vm` (the command line, stored first, wins);
/// empty, or what is wrong, naming the file and the line.
std::string read_config(const std::string& file,
                        const po::options_description& desc,
                        po::variables_map& vm, origins& from) {
  auto cannot = [&file](const std::string& why) {
    return "cannot read config file '" + file + "': " + why;
  };
  struct stat st {};
  if (::stat(file.c_str(), &st) != 0)
    return cannot(std::strerror(errno));
  if (S_ISDIR(st.st_mode))
    return cannot("it is a directory");
  errno = 0;
  std::ifstream in{file};
  if (!in)
    return cannot(errno != 0 ? std::strerror(errno) : "cannot open it");
  std::map<std::string, size_t> seen;
  std::string raw;
  for (size_t number = 1; std::getline(in, raw); ++number) {
    const auto at = file + ":" + std::to_string(number) + ": ";
    // As Boost's parser: '#' starts a comment anywhere on the line.
    auto line = trim(raw.substr(0, raw.find('#')));
    if (line.empty())
      continue;
    if (line.front() == '[')
      return at + "sections such as '" + line +
             "' are not supported: every line is 'name = value'";
    auto eq = line.find('=');
    auto name = trim(line.substr(0, eq));
    if (eq == std::string::npos || name.empty())
      return at + "expected 'name = value', not '" + line + "'";
    auto value = trim(line.substr(eq + 1));
    if (name == "config")
      return at + "'config' cannot be set in a config file (a file does not "
                  "include another)";
    if (name == "help" || name == "version")
      return at + "'" + name + "' cannot be set in a config file";
    const auto* d = desc.find_nothrow(name, false, false, false);
    if (d == nullptr)
      return at + "unknown option '" + name + "'";
    // `join` is the one option a file may give more than once.
    if (auto [it, fresh] = seen.emplace(name, number); !fresh && name != "join")
      return at + name + " is set twice (first on line " +
             std::to_string(it->second) + ")";
    try {
      // Checked even when the command line overrides it: a file's mistake
      // is a mistake whatever wins.
      boost::any scratch;
      d->semantic()->parse(scratch, {value}, true);
      if (!vm.count(name) || vm[name].defaulted())
        from[name] = file + ":" + std::to_string(number);
      po::parsed_options one{&desc};
      one.options.emplace_back(name, std::vector<std::string>{value});
      one.options.back().original_tokens = {raw};
      po::store(one, vm);
    } catch (const bad_value& e) {
      return at + name + " " + e.what();
    } catch (const po::error& e) {
      return at + e.what();
    }
  }
  if (in.bad())
    return cannot(errno != 0 ? std::strerror(errno) : "read error");
  return {};
}

/// The items of options given again or as comma-separated lists, trimmed.
std::vector<std::string> split_lists(const std::vector<std::string>& given) {
  std::vector<std::string> items;
  for (const auto& text : given) {
    std::stringstream list{text};
    for (std::string one; std::getline(list, one, ',');)
      items.push_back(trim(one));
  }
  return items;
}

/// What is wrong with options that are each fine alone.
std::string check(options& x, const origins& from) {
  if (x.auth == "jwt" && x.jwt_secret.empty()) {
    auto it = from.find("auth");
    return it != from.end() ? it->second + ": auth = jwt needs jwt-secret"
                            : "--auth=jwt needs --jwt-secret";
  }
  x.joins = split_lists(x.joins);
  for (const auto& one : x.joins) {
    std::string host;
    uint16_t port = 0;
    if (!split_host_port(one, host, port) || port == 0)
      return "--join takes HOST:PORT with a port from 1 to 65535, not '" + one +
             "'";
  }
  x.allowed_origins = split_lists(x.allowed_origins);
  for (auto& one : x.allowed_origins) {
    // Browsers send an origin without a trailing slash.
    while (!one.empty() && one.back() == '/')
      one.pop_back();
    if (one.rfind("http://", 0) != 0 && one.rfind("https://", 0) != 0)
      return "--allowed-origins takes origins such as "
             "https://app.example.com, not '" +
             one + "'";
  }
  if (!x.joins.empty() && !x.clustered())
    return "--join needs --cluster-listen: the other nodes connect back to "
           "it";
  if (x.clustered() && x.secret.empty())
    return "--cluster-listen needs --secret: every node of a cluster shares "
           "one (64 hex digits)";
  if (x.tls_cert.empty() != x.tls_key.empty())
    return "--tls-cert and --tls-key go together: give both";
  auto tls = !x.cluster_tls_cert.empty() + !x.cluster_tls_key.empty() +
             !x.cluster_tls_ca.empty();
  if (tls != 0 && tls != 3)
    return "--cluster-tls-cert, --cluster-tls-key and --cluster-tls-ca go "
           "together: give all three";
  if (tls != 0 && !x.clustered())
    return "--cluster-tls-cert needs --cluster-listen";
  if (x.lim.room_ttl_s > x.lim.room_max_ttl_s)
    return "--room-ttl-s is the default of a room's ttl_s: at most "
           "--room-max-ttl-s (" +
           std::to_string(x.lim.room_max_ttl_s) + ")";
  if (!x.public_url.empty() && x.public_url.rfind("ws://", 0) != 0 &&
      x.public_url.rfind("wss://", 0) != 0)
    return "--public-url takes a ws:// or wss:// URL, not '" + x.public_url +
           "'";
  return {};
}

} // namespace

parse_outcome parse(int argc, const char* const* argv,
                    const std::string& program) {
  const options defaults;
  options out;
  std::string listen;
  auto desc = describe(defaults, listen, out);
  parse_outcome result;
  auto fail = [&result](std::string text) {
    result.exit_code = 2;
    result.text = std::move(text);
    return result;
  };
  const auto try_help = "\nTry '" + program + " --help'.";
  origins from;
  try {
    po::variables_map vm;
    auto parsed = po::parse_command_line(argc, argv, desc);
    for (const auto& o : parsed.options)
      if (o.position_key >= 0 || o.string_key.empty())
        return fail("unexpected argument '" +
                    (o.original_tokens.empty() ? std::string{}
                                               : o.original_tokens.front()) +
                    "': options are --name=value or --name value" + try_help);
    po::store(parsed, vm);
    if (vm.count("version")) {
      result.text = program + " " + build_version() + " (wire protocol 1)";
      return result;
    }
    if (vm.count("help")) {
      std::ostringstream os;
      os << "Usage: " << program << " [OPTION...]\n\n"
         << "Runs a Tether node: WebSocket sessions speaking the Tether wire "
            "contract.\nOptions take --name=value or --name value; a config "
            "file takes name = value.\n"
         << desc;
      result.text = os.str();
      return result;
    }
    if (vm.count("config"))
      if (auto problem =
              read_config(vm["config"].as<std::string>(), desc, vm, from);
          !problem.empty())
        return fail(problem);
    po::notify(vm);
  } catch (const bad_value& e) {
    return fail("--" + e.option + " " + e.what() + try_help);
  } catch (const po::error& e) {
    return fail(e.what() + try_help);
  }
  // Checked as it was read.
  split_host_port(listen, out.listen_host, out.listen_port);
  if (auto problem = check(out, from); !problem.empty())
    return fail(problem);
  result.opts = out;
  return result;
}

} // namespace tether::config
