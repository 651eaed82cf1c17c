// tether-node: runs one Tether node with the options of its command line.

#include <csignal>
#include <cstdio>
#include <iostream>

#include "tether/actors/log.hpp"
#include "tether/actors/runtime.hpp"
#include "tether/config/options.hpp"

int main(int argc, char** argv) {
  // A file over its size limit is a failing write the store reports and
  // survives, not a reason to die.
  std::signal(SIGXFSZ, SIG_IGN);
  auto parsed = tether::config::parse(argc, argv);
  if (!parsed.opts) {
    (parsed.exit_code == 0 ? std::cout : std::cerr) << parsed.text << '\n';
    return parsed.exit_code;
  }
  // The runtime applies --log-level as it is made.
  tether::runtime node{*parsed.opts};
  // From here SIGTERM drains, even before the node listens.
  node.catch_signals();
  if (auto ec = node.start()) {
    // The store or the secret: the log said why; the files are untouched.
    if (ec.category() == tether::start_category())
      return 2;
    TETHER_LOG(error, "node",
               "cannot listen on " << parsed.opts->listen_host << ":"
                                   << parsed.opts->listen_port << ": "
                                   << ec.message());
    return 1;
  }
  // The first line on stdout names the URL: scripts and tests read it.
  std::cout << "tether-node listening on " << node.url() << std::endl;
  if (node.cluster_port() != 0)
    std::cout << "tether-node cluster on " << node.cluster_address()
              << std::endl;
  node.join_cluster();
  node.run_until_signal();
  return 0;
}
