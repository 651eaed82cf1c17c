// tether_load: the benchmarks' load generator. One thread, one io_context;
// speaks Tether's frames or Socket.IO's packets (chosen by the URL), runs
// one workload and prints one JSON line of figures. With --server-pid it
// also reads the server's CPU time and memory over exactly the measured
// phase. With --exec it starts the server itself (the restart case).

#include <sys/prctl.h>

#include <iostream>
#include <sstream>

#include <boost/program_options.hpp>

#include "cluster.hpp"

namespace po = boost::program_options;
using namespace tether::bench;

namespace {

std::vector<size_t> parse_list(const std::string& text) {
  std::vector<size_t> out;
  std::stringstream in(text);
  std::string item;
  while (std::getline(in, item, ','))
    out.push_back(std::stoul(item));
  return out;
}

int run_mode(context& cx, protocol proto) {
  const auto& mode = cx.opt.mode;
  if (mode == "echo")
    return run_echo(cx);
  if (mode == "idle")
    return run_idle(cx);
  if (mode == "fanout")
    return run_fanout(cx);
  if (mode == "slow")
    return run_slow(cx);
  using run_fn = int (*)(context&);
  run_fn cluster_only = mode == "migrate"          ? run_migrate
                        : mode == "cluster-resume" ? run_cluster_resume
                        : mode == "drain"          ? run_drain
                                                   : nullptr;
  if (cluster_only) {
    if (!cx.nodes || proto != protocol::tether) {
      std::cerr << "tether_load: " << mode
                << " needs a cluster (--exec and --nodes 2 or more)\n";
      return 2;
    }
    return cluster_only(cx);
  }
  run_fn sessions_only = mode == "resume"            ? run_resume
                         : mode == "push"            ? run_push
                         : mode == "restart-prepare" ? run_restart_prepare
                         : mode == "restart"         ? run_restart
                                                     : nullptr;
  if (!sessions_only) {
    std::cerr << "tether_load: unknown mode " << mode << "\n";
    return 2;
  }
  if (proto != protocol::tether) {
    std::cerr << "tether_load: " << mode << " needs Tether sessions\n";
    return 2;
  }
  return sessions_only(cx);
}

} // namespace

int main(int argc, char** argv) {
  // Timers fire when asked, not up to 50 µs later (the default slack): the
  // open loop's send times and the fan-out's round trips depend on it.
  prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0);
  options opt;
  std::string members = "1000";
  po::options_description desc(
      "usage: tether_load --url URL | --exec CMD [--mode MODE] [options]\n\n"
      "modes: echo (W2), idle (W1), fanout (W3), resume (W4, Tether only),\n"
      "       slow (W5); Tether only: push (W2 on sessions: sys.push),\n"
      "       restart-prepare and restart (the store's restart case);\n"
      "       with --nodes 3 (a cluster the generator starts): fanout over\n"
      "       its nodes, migrate, cluster-resume and drain.\n"
      "A URL with /socket.io/ speaks Socket.IO 5.\n\n"
      "options");
  desc.add_options()          //
      ("help,h", "this text") //
      ("url", po::value(&opt.url),
       "ws://HOST:PORT/PATH or wss:// (not with --exec)")(
          "ca-file", po::value(&opt.ca_file),
          "wss://: verify the server's certificate and address against this "
          "PEM CA file (default: no verification)")(
          "mode", po::value(&opt.mode)->default_value(opt.mode), "workload")(
          "conns", po::value(&opt.conns)->default_value(opt.conns),
          "connections (echo, idle, slow: the echoing ones; resume: sessions)")(
          "duration", po::value(&opt.duration_s)->default_value(opt.duration_s),
          "seconds each measured phase lasts")(
          "payload", po::value(&opt.payload)->default_value(opt.payload),
          "payload bytes (echo; slow: each broadcast)")(
          "rate", po::value(&opt.rate)->default_value(opt.rate),
          "echo: requests/s over all connections, open loop; 0: closed loop")(
          "sessions", po::bool_switch(&opt.sessions),
          "echo: over sessions (SESSION_OPEN first; answers numbered, ACKed)")(
          "ack-every", po::value(&opt.ack_every)->default_value(opt.ack_every),
          "sessions: ACK after this many frames; 0: the WELCOME's ack_every")(
          "push-count",
          po::value(&opt.push_count)->default_value(opt.push_count),
          "push, restart-prepare: SIGNALs per sys.push")(
          "state", po::value(&opt.state),
          "restart-prepare: the file to write the sessions and rooms to; "
          "restart: to read them from")(
          "exec", po::value(&opt.exec),
          "start this server command (split at spaces) and use the URL of "
          "its first line on stdout; it is stopped (SIGTERM) at the end")(
          "exec-log", po::value(&opt.exec_log),
          "--exec: append the server's stderr to this file")(
          "nodes", po::value(&opt.nodes)->default_value(opt.nodes),
          "--exec: start this many nodes as one cluster on loopback (each "
          "with --node-name a, b, ..., --cluster-listen, one --secret and "
          "--admin-token; all but a join a); CPU and RSS are summed over "
          "them, connections go to a (fanout: spread over all)")(
          "hold", po::value(&opt.hold_s)->default_value(opt.hold_s),
          "idle: seconds to hold the connections before measuring memory")(
          "max-connecting",
          po::value(&opt.max_connecting)->default_value(opt.max_connecting),
          "connections being opened at once")(
          "connect-timeout",
          po::value(&opt.connect_timeout_s)
              ->default_value(opt.connect_timeout_s),
          "seconds to open every connection")(
          "server-pid", po::value(&opt.server_pid),
          "the server's process: its CPU and RSS are measured")(
          "source-addrs", po::value(&opt.source_addrs),
          "loopback source addresses to spread over (default: one per 25000)")(
          "source-from",
          po::value(&opt.source_from)->default_value(opt.source_from),
          "the first of them: 127.0.0.N (another than 1 is clear of the "
          "TIME_WAIT sockets earlier runs left there)")(
          "members", po::value(&members)->default_value(members),
          "fanout: members per room, a comma-separated list of steps; "
          "restart-prepare: members per room")(
          "rooms", po::value(&opt.rooms)->default_value(opt.rooms),
          "fanout, restart-prepare: rooms")(
          "inflight", po::value(&opt.inflight)->default_value(opt.inflight),
          "fanout: broadcasts in flight per room")(
          "p95-limit-ms",
          po::value(&opt.p95_limit_ms)->default_value(opt.p95_limit_ms),
          "fanout: stop stepping once the p95 round trip passes this")(
          "slow", po::value(&opt.slow)->default_value(opt.slow),
          "slow: members that stop reading")(
          "broadcast-rate",
          po::value(&opt.broadcast_rate)->default_value(opt.broadcast_rate),
          "slow: broadcasts per second into their room")(
          "delivery", po::value(&opt.delivery),
          "slow: the broadcasts' delivery class (keep, drop, latest)")(
          "keys", po::value(&opt.keys)->default_value(opt.keys),
          "slow: keys the latest broadcasts rotate over");
  po::variables_map vm;
  try {
    po::store(po::parse_command_line(argc, argv, desc), vm);
    if (vm.count("help")) {
      std::cout << desc << std::endl;
      return 0;
    }
    po::notify(vm);
    opt.members = parse_list(members);
  } catch (const std::exception& e) {
    std::cerr << "tether_load: " << e.what() << "\n\n" << desc << std::endl;
    return 2;
  }
  launched child;
  cluster nodes;
  if (!opt.exec.empty()) {
    if (!opt.url.empty()) {
      std::cerr << "tether_load: --url or --exec, not both\n";
      return 2;
    }
    std::string why;
    bool up = opt.nodes > 1 ? nodes.start(opt, opt.nodes, why)
                            : launch(opt, 120, child, why);
    if (!up) {
      std::cerr << "tether_load: the server did not start: " << why << "\n";
      return 1;
    }
    opt.url = opt.nodes > 1 ? nodes.nodes().front().process.url : child.url;
    opt.server_pid = child.pid;
  }
  target t;
  if (!aim(opt.url, opt, t) || opt.conns == 0 || opt.members.empty() ||
      opt.rooms == 0) {
    std::cerr
        << "tether_load: need a ws:// or wss:// URL (--url or --exec), --conns "
           "and --rooms above 0 and at least one --members step\n";
    double ignored = 0;
    stop(child, 10, ignored);
    return 2;
  }
  auto proto = t.path.find("/socket.io/") != std::string::npos
                   ? protocol::socketio
                   : protocol::tether;
  bool several = !nodes.nodes().empty();
  context cx{opt, t, proto, child, several ? &nodes : nullptr, nodes.pids()};
  if (several && !nodes.await_up(cx, 30))
    return 1;
  auto status = run_mode(cx, proto);
  double ignored = 0;
  stop(cx.child, 10, ignored); // if the mode has not
  return status;
}
