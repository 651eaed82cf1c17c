// tether_load: the benchmarks' load generator. One thread, one io_context;
// speaks Tether's frames or Socket.IO's packets (chosen by the URL), runs
// one workload and prints one JSON line of figures. With --server-pid it
// also reads the server's CPU time and memory over exactly the measured
// phase.

#include <sys/prctl.h>

#include <iostream>
#include <sstream>

#include <boost/program_options.hpp>

#include "clients/cpp/client.hpp"
#include "context.hpp"

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

} // namespace

int main(int argc, char** argv) {
  // Timers fire when asked, not up to 50 µs later (the default slack): the
  // open loop's send times and the fan-out's round trips depend on it.
  prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0);
  options opt;
  std::string members = "1000";
  po::options_description desc(
      "usage: tether_load --url URL [--mode MODE] [options]\n\n"
      "modes: echo (W2), idle (W1), fanout (W3), resume (W4, Tether only),\n"
      "       slow (W5). A URL with /socket.io/ speaks Socket.IO 5.\n\n"
      "options");
  desc.add_options()          //
      ("help,h", "this text") //
      ("url", po::value(&opt.url)->required(), "ws://HOST:PORT/PATH")(
          "mode", po::value(&opt.mode)->default_value(opt.mode), "workload")(
          "conns", po::value(&opt.conns)->default_value(opt.conns),
          "connections (echo, idle, slow: the echoing ones; resume: sessions)")(
          "duration", po::value(&opt.duration_s)->default_value(opt.duration_s),
          "seconds each measured phase lasts")(
          "payload", po::value(&opt.payload)->default_value(opt.payload),
          "payload bytes (echo; slow: each broadcast)")(
          "rate", po::value(&opt.rate)->default_value(opt.rate),
          "echo: requests/s over all connections, open loop; 0: closed loop")(
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
          "members", po::value(&members)->default_value(members),
          "fanout: members per room, a comma-separated list of steps")(
          "rooms", po::value(&opt.rooms)->default_value(opt.rooms),
          "fanout: rooms")(
          "inflight", po::value(&opt.inflight)->default_value(opt.inflight),
          "fanout: broadcasts in flight per room")(
          "p95-limit-ms",
          po::value(&opt.p95_limit_ms)->default_value(opt.p95_limit_ms),
          "fanout: stop stepping once the p95 round trip passes this")(
          "slow", po::value(&opt.slow)->default_value(opt.slow),
          "slow: members that stop reading")(
          "broadcast-rate",
          po::value(&opt.broadcast_rate)->default_value(opt.broadcast_rate),
          "slow: broadcasts per second into their room");
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
  auto where = tether::client::parse_url(opt.url);
  if (!where || opt.conns == 0 || opt.members.empty() || opt.rooms == 0) {
    std::cerr << "tether_load: need a ws:// URL, --conns and --rooms above 0 "
                 "and at least one --members step\n";
    return 2;
  }
  auto proto = where->path.find("/socket.io/") != std::string::npos
                   ? protocol::socketio
                   : protocol::tether;
  target t{where->host, where->port, where->path,
           opt.source_addrs ? opt.source_addrs : 1 + opt.conns / 25000};
  context cx{opt, t, proto};
  if (opt.mode == "echo")
    return run_echo(cx);
  if (opt.mode == "idle")
    return run_idle(cx);
  if (opt.mode == "fanout")
    return run_fanout(cx);
  if (opt.mode == "slow")
    return run_slow(cx);
  if (opt.mode == "resume") {
    if (proto != protocol::tether) {
      std::cerr << "tether_load: resume needs Tether sessions\n";
      return 2;
    }
    return run_resume(cx);
  }
  std::cerr << "tether_load: unknown mode " << opt.mode << "\n";
  return 2;
}
