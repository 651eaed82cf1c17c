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

/// All options, with their defaults taken from `defaults`.
po::options_description describe(const options& d, std::string& listen,
                                 options& out) {
  auto& l = out.lim;
  const auto& dl = d.lim;
  po::options_description general("General");
  general.add_options()("help,h", "print this help and exit")(
      "config", po::value<std::string>(&out.config_file)->value_name("FILE"),
      "read options from FILE (lines of 'name = value'; the command line "
      "wins)")(
      "listen",
      po::value<std::string>(&listen)
          ->default_value(d.listen_host + ":" + std::to_string(d.listen_port))
          ->value_name("HOST:PORT"),
      "address to listen on; port 0 picks a free port")(
      "ws-path", po::value<std::string>(&out.ws_path)->default_value(d.ws_path),
      "path of the WebSocket endpoint")(
      "node-name",
      po::value<std::string>(&out.node_name)
          ->default_value("")
          ->value_name("NAME"),
      "name of this node in WELCOME and sys.info (default: the host name)")(
      "io-threads",
      po::value<unsigned>(&out.io_threads)->default_value(d.io_threads),
      "threads running the sockets")(
      "actor-threads",
      po::value<unsigned>(&out.actor_threads)->default_value(d.actor_threads),
      "threads running the actors")(
      "log-level",
      po::value<std::string>(&out.log_level)->default_value(d.log_level),
      "debug, info, warning or error")(
      "sys-ops", po::value<bool>(&out.sys_ops)->default_value(d.sys_ops),
      "bind the built-in sys.* ops (true or false)");
  po::options_description limits_desc("Limits (WELCOME reports them)");
  limits_desc.add_options()(
      "max-message",
      po::value<uint64_t>(&l.max_message)->default_value(dl.max_message),
      "largest WebSocket message accepted, in bytes "
      "(larger: CLOSE 4)")(
      "max-inflight",
      po::value<uint64_t>(&l.max_inflight)->default_value(dl.max_inflight),
      "requests a client may have open at once (more: "
      "RETRY overloaded)")(
      "max-streams",
      po::value<uint64_t>(&l.max_streams)->default_value(dl.max_streams),
      "streamed requests open at once (more: RETRY "
      "stream_limit)")(
      "session-ttl-s",
      po::value<uint64_t>(&l.session_ttl_s)->default_value(dl.session_ttl_s),
      "seconds a session outlives its last connection")(
      "ack-every",
      po::value<uint64_t>(&l.ack_every)->default_value(dl.ack_every),
      "a client acknowledges at least every this many "
      "frames")("max-outbox-bytes",
                po::value<uint64_t>(&l.max_outbox_bytes)
                    ->default_value(dl.max_outbox_bytes),
                "bytes queued for a client that does not read before CLOSE 7");
  po::options_description timing("Timing");
  timing.add_options()(
      "heartbeat-ms",
      po::value<uint64_t>(&l.heartbeat_ms)->default_value(dl.heartbeat_ms),
      "heartbeat interval; 3 silent intervals: CLOSE 3")(
      "handshake-timeout-ms",
      po::value<uint64_t>(&l.handshake_timeout_ms)
          ->default_value(dl.handshake_timeout_ms),
      "time a new connection has to send HELLO (then CLOSE 3)")(
      "retry-after-ms",
      po::value<uint64_t>(&l.retry_after_ms)->default_value(dl.retry_after_ms),
      "wait suggested in RETRY to a client over a "
      "limit")("shutdown-grace-ms",
               po::value<uint64_t>(&l.shutdown_grace_ms)
                   ->default_value(dl.shutdown_grace_ms),
               "on SIGINT/SIGTERM, time open requests get to finish");
  po::options_description all;
  all.add(general).add(limits_desc).add(timing);
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
  if (x.ws_path.empty() || x.ws_path.front() != '/')
    return "--ws-path must start with '/'";
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
