#include "cluster.hpp"

#include <signal.h>

#include <iostream>
#include <memory>
#include <random>

#include "http_call.hpp"
#include "tether/clients/cpp/client.hpp"

namespace tether::bench {

namespace {

std::string random_secret() {
  std::random_device rd;
  std::string hex;
  for (int i = 0; i < 64; ++i)
    hex += "0123456789abcdef"[rd() % 16];
  return hex;
}

size_t count_of(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (auto at = text.find(what); at != std::string::npos;
       at = text.find(what, at + what.size()))
    ++n;
  return n;
}

} // namespace

bool aim(const std::string& url, const options& opt, target& out) {
  auto where = client::parse_url(url);
  if (!where)
    return false;
  out = {where->host,
         where->port,
         where->path,
         opt.source_addrs ? opt.source_addrs : 1 + opt.conns / 25000,
         opt.source_from,
         nullptr,
         false};
  if (!where->tls)
    return true;
  // Unverified unless given a CA: the handshake costs the same either way
  // on the server, and checking it would only load the generator's core.
  transport::tls_client_options tls{!opt.ca_file.empty(), opt.ca_file};
  std::string error;
  out.tls = transport::make_tls_client(tls, error);
  out.verify_host = tls.verify;
  if (!out.tls)
    std::cerr << "tether_load: " << error << std::endl;
  return out.tls != nullptr;
}

bool cluster::start(const options& opt, size_t n, std::string& why) {
  const auto secret = random_secret();
  std::string first_address;
  for (size_t i = 0; i < n; ++i) {
    cluster_node node;
    node.name = std::string(1, static_cast<char>('a' + i));
    auto o = opt;
    o.exec += " --node-name " + node.name +
              " --cluster-listen 127.0.0.1:0 --secret " + secret +
              " --admin-token " + token_;
    if (i > 0)
      o.exec += " --join " + first_address;
    if (!launch(o, 30, node.process, why)) {
      why = "node " + node.name + ": " + why;
      return false;
    }
    nodes_.push_back(std::move(node));
    auto& started = nodes_.back();
    std::string line;
    const std::string prefix = "tether-node cluster on ";
    if (!next_line(started.process, 10, line, why) ||
        line.rfind(prefix, 0) != 0) {
      why = "node " + started.name + " named no cluster address: " + line + why;
      return false;
    }
    if (i == 0)
      first_address = line.substr(prefix.size());
    if (!aim(started.process.url, opt, started.where)) {
      why = "node " + started.name + ": not a ws:// URL " + started.process.url;
      return false;
    }
  }
  return true;
}

bool cluster::await_up(context& cx, double limit_s) {
  const auto n = nodes_.size();
  auto until =
      std::chrono::steady_clock::now() + std::chrono::duration<double>(limit_s);
  auto last = std::make_shared<std::string>();
  while (std::chrono::steady_clock::now() < until) {
    // Shared: an answer may come after this round gave up waiting.
    struct round {
      size_t answered = 0, all_up = 0;
    };
    auto r = std::make_shared<round>();
    for (auto& node : nodes_)
      http_call(cx.ioc, node.where, "GET", "/api/v1/node", token_, {},
                [r, n, last](const http_answer& a) {
                  ++r->answered;
                  *last = a.status ? a.body : a.failure;
                  if (a.status == 200 && count_of(a.body, "\"up\"") == n)
                    ++r->all_up;
                });
    cx.run_until([&] { return r->answered == n; }, 5);
    if (r->all_up == n)
      return true;
    cx.run_for(0.1);
  }
  std::cerr << "tether_load: the cluster did not come up; a node said: "
            << *last << std::endl;
  return false;
}

void cluster::stop() {
  for (auto& node : nodes_)
    if (node.process.pid > 0)
      kill(node.process.pid, SIGTERM);
  for (auto& node : nodes_) {
    double ignored = 0;
    bench::stop(node.process, 10, ignored);
  }
}

std::vector<pid_t> cluster::pids() const {
  std::vector<pid_t> out;
  for (const auto& node : nodes_)
    out.push_back(node.process.pid);
  return out;
}

int cluster::node_of(const std::string& url) const {
  for (size_t i = 0; i < nodes_.size(); ++i)
    if (nodes_[i].process.url == url)
      return static_cast<int>(i);
  return -1;
}

} // namespace tether::bench
