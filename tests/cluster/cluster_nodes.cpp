#include "tether/tests/cluster/cluster_nodes.hpp"

#include <algorithm>

#include <catch2/catch.hpp>

#include "tether/tests/support/calls.hpp"
#include "tether/tests/support/http_call.hpp"

namespace tether::test {

cluster_node start_node(const node_plan& plan) {
  std::vector<std::string> args{
      "--listen=127.0.0.1:0",
      "--cluster-listen=127.0.0.1:0",
      "--node-name=" + plan.name,
      "--secret=" + plan.secret,
      "--log-level=warning",
      "--admin-token=" + admin_token,
      "--store=" + (plan.store.empty() ? std::string{"none"} : plan.store)};
  for (const auto& j : plan.joins)
    args.push_back("--join=" + j);
  args.insert(args.end(), plan.extra.begin(), plan.extra.end());
  cluster_node n;
  n.name = plan.name;
  child_options opts;
  opts.capture_stderr = true;
  n.process = std::make_unique<child_node>(args, opts);
  auto where = n.process->listening();
  INFO(n.process->error_output());
  REQUIRE(where);
  n.where = *where;
  n.url =
      "ws://" + where->host + ":" + std::to_string(where->port) + where->path;
  auto line = n.process->next_line(std::chrono::seconds{5});
  const std::string prefix = "tether-node cluster on ";
  REQUIRE(line.rfind(prefix, 0) == 0);
  n.address = line.substr(prefix.size());
  while (!n.address.empty() && n.address.back() == '\n')
    n.address.pop_back();
  return n;
}

std::vector<std::string> cluster_view(const client::endpoint& at) {
  client::io_thread io;
  auto c = client::client::connect(io, at);
  if (!c || !c->hello())
    return {};
  auto f = c->call("sys.info", codec::value{});
  if (f.wait_for(std::chrono::seconds{5}) != std::future_status::ready)
    return {};
  auto a = f.get();
  if (!a.ok())
    return {};
  std::vector<std::string> result;
  try {
    auto handle = codec::lookup(a.payload, "cluster").unpack();
    for (const auto& node :
         handle.get().as<std::vector<std::map<std::string, std::string>>>())
      result.push_back(node.at("node") + ":" + node.at("state"));
  } catch (const std::exception&) {
    return {};
  }
  std::sort(result.begin(), result.end());
  return result;
}

bool await_view(const client::endpoint& at,
                const std::vector<std::string>& expected,
                std::chrono::milliseconds limit) {
  std::vector<std::string> seen;
  bool ok = eventually(
      [&] {
        seen = cluster_view(at);
        return seen == expected;
      },
      limit);
  if (!ok) {
    std::string text;
    for (const auto& s : seen)
      text += s + " ";
    UNSCOPED_INFO("the cluster as " << at.port << " sees it: " << text);
  }
  return ok;
}

std::vector<cluster_node> three_nodes(const temp_dir* stores) {
  auto store = [stores](const std::string& name) {
    return stores ? stores->file(name + ".db") : std::string{};
  };
  std::vector<cluster_node> nodes;
  nodes.push_back(start_node({"a", {}, {}, cluster_secret, store("a")}));
  nodes.push_back(
      start_node({"b", {nodes[0].address}, {}, cluster_secret, store("b")}));
  nodes.push_back(
      start_node({"c", {nodes[1].address}, {}, cluster_secret, store("c")}));
  for (const auto& n : nodes)
    REQUIRE(await_view(n.where, {"a:up", "b:up", "c:up"}));
  return nodes;
}

} // namespace tether::test

namespace tether::test {

namespace {

/// POST /api/v1/KIND/ID/migrate at `at`: the HTTP status.
unsigned migrate(const cluster_node& at, const std::string& kind,
                 const std::string& id, const std::string& to) {
  auto r =
      http_call(at.where, "POST", "/api/v1/" + kind + "/" + id + "/migrate",
                admin_token, "{\"to\": \"" + to + "\"}");
  UNSCOPED_INFO("migrate " << id << " to " << to << ": " << r.status << " "
                           << r.body);
  return r.status;
}

} // namespace

unsigned migrate_session(const cluster_node& at, const std::string& id,
                         const std::string& to) {
  return migrate(at, "sessions", id, to);
}

unsigned migrate_room(const cluster_node& at, const std::string& id,
                      const std::string& to) {
  return migrate(at, "rooms", id, to);
}

} // namespace tether::test
