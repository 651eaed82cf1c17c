#include "config/options.hpp"

#include <fstream>
#include <sstream>

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
  try {
    size_t used = 0;
    auto n = std::stoul(text.substr(colon + 1), &used);
    if (used != text.size() - colon - 1 || n > 65535)
      return false;
    port = static_cast<uint16_t>(n);
  } catch (const std::exception&) {
    return false;
  }
  return true;
}

namespace {

/// Adds one option; one call per option keeps the table readable.
void add(po::options_description& group, const char* name,
         const po::value_semantic* value, const char* help) {
  group.add_options()(name, value, help);
}

template <class T>
po::typed_value<T>* with_default(T* target, const T& fallback) {
  return po::value<T>(target)->default_value(fallback);
}

/// All options, with their defaults taken from `d`.
po::options_description describe(const options& d, std::string& listen,
                                 options& out) {
  auto& l = out.lim;
  const auto& dl = d.lim;
  po::options_description general("General");
  general.add_options()("help,h", "print this help and exit");
  add(general, "config",
      po::value<std::string>(&out.config_file)->value_name("FILE"),
      "read options from FILE (lines of 'name = value'; the command line "
      "wins)");
  add(general, "listen",
      with_default(&listen, d.listen_host + ":" + std::to_string(d.listen_port))
          ->value_name("HOST:PORT"),
      "address to listen on; port 0 picks a free port");
  add(general, "ws-path", with_default(&out.ws_path, d.ws_path),
      "path of the WebSocket endpoint");
  add(general, "node-name",
      po::value<std::string>(&out.node_name)->value_name("NAME"),
      "name of this node in WELCOME and sys.info (default: the host name)");
  add(general, "io-threads", with_default(&out.io_threads, d.io_threads),
      "threads running the sockets");
  add(general, "actor-threads",
      with_default(&out.actor_threads, d.actor_threads),
      "threads running the actors");
  add(general, "scheduler", with_default(&out.scheduler, d.scheduler),
      "CAF scheduler: sharing (idle threads sleep) or stealing (idle threads "
      "poll)");
  add(general, "sched-batch", with_default(&out.sched_batch, d.sched_batch),
      "run the node's threads as SCHED_BATCH, so that threads sharing a core "
      "hand each other batches instead of preempting (true or false)");
  add(general, "log-level", with_default(&out.log_level, d.log_level),
      "debug, info, warning or error");
  add(general, "sys-ops", with_default(&out.sys_ops, d.sys_ops),
      "bind the built-in sys.* ops (true or false)");
  add(general, "data-dir",
      with_default(&out.data_dir, d.data_dir)->value_name("DIR"),
      "where the node keeps its files (the token secret, the store)");
  add(general, "store", po::value<std::string>(&out.store)->value_name("PATH"),
      "the store's file, which keeps sessions and rooms across restarts "
      "(default: DIR/store.db; none: no store)");
  add(general, "store-flush-ms",
      with_default(&out.store_flush_ms, d.store_flush_ms),
      "the longest a change waits for its commit: what a crash may lose");
  add(general, "secret", po::value<std::string>(&out.secret)->value_name("HEX"),
      "stream token secret, 64 hex digits, shared by a cluster (default: "
      "made once and kept in DIR/secret, readable by the owner only)");

  po::options_description limits_desc("Limits (WELCOME reports them)");
  add(limits_desc, "max-message", with_default(&l.max_message, dl.max_message),
      "largest WebSocket message accepted, in bytes (larger: CLOSE 4)");
  add(limits_desc, "max-inflight",
      with_default(&l.max_inflight, dl.max_inflight),
      "requests a client may have open at once (more: RETRY overloaded)");
  add(limits_desc, "max-streams", with_default(&l.max_streams, dl.max_streams),
      "streamed requests open at once (more: RETRY stream_limit)");
  add(limits_desc, "session-ttl-s",
      with_default(&l.session_ttl_s, dl.session_ttl_s),
      "seconds a session outlives its last connection");
  add(limits_desc, "ack-every", with_default(&l.ack_every, dl.ack_every),
      "a client acknowledges at least every this many frames");
  add(limits_desc, "max-connections",
      with_default(&l.max_connections, dl.max_connections),
      "connections attached to one session at once (more: ERROR "
      "max_connections)");
  add(limits_desc, "max-outbox-bytes",
      with_default(&l.max_outbox_bytes, dl.max_outbox_bytes),
      "bytes kept unacknowledged or queued for a client before CLOSE 7");
  add(limits_desc, "max-outbox-frames",
      with_default(&l.max_outbox_frames, dl.max_outbox_frames),
      "frames a stream keeps unacknowledged before CLOSE 7");

  add(limits_desc, "room-max-members",
      with_default(&l.room_max_members, dl.room_max_members),
      "members a room may have (default and ceiling of max_members)");
  add(limits_desc, "room-ttl-s", with_default(&l.room_ttl_s, dl.room_ttl_s),
      "seconds an empty room lives on (default of ttl_s)");
  add(limits_desc, "invite-ttl-s",
      with_default(&l.invite_ttl_s, dl.invite_ttl_s),
      "seconds an invite is valid (default of ttl_s)");

  po::options_description timing("Timing");
  add(timing, "heartbeat-ms", with_default(&l.heartbeat_ms, dl.heartbeat_ms),
      "heartbeat interval; 3 silent intervals: CLOSE 3");
  add(timing, "handshake-timeout-ms",
      with_default(&l.handshake_timeout_ms, dl.handshake_timeout_ms),
      "time a new connection has to send HELLO (then CLOSE 3)");
  add(timing, "retry-after-ms",
      with_default(&l.retry_after_ms, dl.retry_after_ms),
      "wait suggested in RETRY to a client over a limit");
  add(timing, "shutdown-grace-ms",
      with_default(&l.shutdown_grace_ms, dl.shutdown_grace_ms),
      "on SIGINT/SIGTERM, time open requests get to finish");
  add(timing, "batch-max-bytes",
      with_default(&l.batch_max_bytes, dl.batch_max_bytes),
      "bytes at which a batch is written at once");
  add(timing, "token-ttl-s", with_default(&l.token_ttl_s, dl.token_ttl_s),
      "lifetime of a stream token, in seconds");

  po::options_description auth_desc("Authentication");
  add(auth_desc, "auth", with_default(&out.auth, d.auth),
      "anonymous (everyone is let in) or jwt (HELLO auth {token: JWT}, "
      "HS256; refused: CLOSE 8)");
  add(auth_desc, "jwt-secret",
      po::value<std::string>(&out.jwt_secret)->value_name("TEXT"),
      "the HS256 secret JWTs are signed with (with --auth=jwt)");
  add(auth_desc, "allow-anonymous",
      with_default(&out.allow_anonymous, d.allow_anonymous),
      "with --auth=jwt, let in an empty auth map too");
  po::options_description all;
  all.add(general).add(limits_desc).add(timing).add(auth_desc);
  return all;
}

std::string check(const options& x) {
  const auto& l = x.lim;
  if (l.max_message < 64)
    return "--max-message must be at least 64";
  if (l.max_inflight == 0 || l.max_streams == 0)
    return "--max-inflight and --max-streams must be at least 1";
  if (l.heartbeat_ms == 0 || l.handshake_timeout_ms == 0)
    return "--heartbeat-ms and --handshake-timeout-ms must be at least 1";
  if (l.ack_every == 0)
    return "--ack-every must be at least 1";
  if (x.io_threads == 0 || x.actor_threads == 0)
    return "--io-threads and --actor-threads must be at least 1";
  if (x.scheduler != "sharing" && x.scheduler != "stealing")
    return "--scheduler must be sharing or stealing";
  if (x.ws_path.empty() || x.ws_path.front() != '/')
    return "--ws-path must start with '/'";
  if (l.max_connections == 0 || l.max_outbox_frames == 0 ||
      l.max_outbox_bytes == 0)
    return "--max-connections, --max-outbox-frames and --max-outbox-bytes "
           "must be at least 1";
  if (l.session_ttl_s == 0 || l.token_ttl_s == 0)
    return "--session-ttl-s and --token-ttl-s must be at least 1";
  if (x.auth != "anonymous" && x.auth != "jwt")
    return "--auth must be anonymous or jwt";
  if (x.auth == "jwt" && x.jwt_secret.empty())
    return "--auth=jwt needs --jwt-secret";
  if (x.store_flush_ms == 0 || x.store_flush_ms > 60000)
    return "--store-flush-ms must be 1 to 60000";
  if (!x.secret.empty() && x.secret.size() != 64)
    return "--secret must be 64 hex digits";
  if (x.log_level != "debug" && x.log_level != "info" &&
      x.log_level != "warning" && x.log_level != "error")
    return "--log-level must be debug, info, warning or error";
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
  try {
    po::variables_map vm;
    po::store(po::parse_command_line(argc, argv, desc), vm);
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
    if (vm.count("config")) {
      auto file = vm["config"].as<std::string>();
      std::ifstream in{file};
      if (!in) {
        result.exit_code = 2;
        result.text = "cannot read config file '" + file + "'";
        return result;
      }
      po::store(po::parse_config_file(in, desc), vm);
    }
    po::notify(vm);
  } catch (const po::error& e) {
    result.exit_code = 2;
    result.text = std::string{e.what()} + "\nTry '" + program + " --help'.";
    return result;
  }
  if (!split_host_port(listen, out.listen_host, out.listen_port)) {
    result.exit_code = 2;
    result.text = "--listen takes HOST:PORT, got '" + listen + "'";
    return result;
  }
  if (auto problem = check(out); !problem.empty()) {
    result.exit_code = 2;
    result.text = problem;
    return result;
  }
  result.opts = out;
  return result;
}

} // namespace tether::config
