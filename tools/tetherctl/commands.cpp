#include "commands.hpp"

#include <ostream>

#include <nlohmann/json.hpp>

#include "table.hpp"

namespace tether::ctl {

namespace {

using json = nlohmann::json;

/// `x` as a cell: strings bare, anything else as compact JSON.
std::string cell(const json& x) {
  if (x.is_string())
    return x.get<std::string>();
  if (x.is_null())
    return "-";
  return x.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::string joined(const json& list) {
  std::string result;
  for (const auto& x : list)
    result += (result.empty() ? "" : ",") + cell(x);
  return result.empty() ? "-" : result;
}

std::string escaped(const std::string& id) {
  static const char* hex = "0123456789ABCDEF";
  std::string result;
  for (unsigned char c : id) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      result += static_cast<char>(c);
    } else {
      result += '%';
      result += hex[c >> 4];
      result += hex[c & 15];
    }
  }
  return result;
}

/// Calls the API; on an error prints it and sets `code`.
bool ask(context& ctx, const std::string& method, const std::string& path,
         const std::string& body, json& answer, int& code) {
  auto r = call(ctx.at, method, path, body);
  if (r.status == 0) {
    *ctx.err << "tetherctl: " << r.error << '\n';
    code = unreachable;
    return false;
  }
  answer = r.body.empty() ? json{} : json::parse(r.body, nullptr, false);
  if (r.status >= 400) {
    if (answer.is_object() && answer.contains("error"))
      *ctx.err << "tetherctl: " << r.status << " " << cell(answer["error"])
               << ": " << cell(answer.value("message", json{})) << '\n';
    else
      *ctx.err << "tetherctl: " << r.status << " " << r.body << '\n';
    if (r.status == 404 && !answer.is_object())
      *ctx.err << "tetherctl: is the node started with --admin-token?\n";
    code = refused;
    return false;
  }
  code = ok;
  return true;
}

/// A command that changes something: prints the answer (or "ok").
int act(context& ctx, const std::string& method, const std::string& path,
        const json& body, const std::string& done) {
  json answer;
  int code = ok;
  if (!ask(ctx, method, path, body.is_null() ? "" : body.dump(), answer, code))
    return code;
  if (ctx.json)
    *ctx.out << (answer.is_null() ? json::object() : answer).dump(2) << '\n';
  else
    *ctx.out << done << '\n';
  return ok;
}

int nodes(context& ctx) {
  json node;
  int code = ok;
  if (!ask(ctx, "GET", "/api/v1/node", {}, node, code))
    return code;
  if (ctx.json) {
    *ctx.out << node.dump(2) << '\n';
    return ok;
  }
  *ctx.out << "node " << cell(node["node"]) << ": " << cell(node["connections"])
           << " connections, " << cell(node["sessions"]) << " sessions, "
           << cell(node["rooms"]) << " rooms, up " << cell(node["uptime_s"])
           << " s\n\n";
  table t{{"NODE", "STATE", "URL"}};
  for (const auto& n : node["cluster"])
    t.add({cell(n["node"]), cell(n["state"]), cell(n["url"])});
  t.print(*ctx.out);
  return ok;
}

/// `sessions` or `rooms`: pages (all of them with `--all`), or one.
int list(context& ctx, const std::string& what,
         const std::vector<std::string>& args) {
  auto base = "/api/v1/" + what;
  if (!args.empty()) {
    json one;
    int code = ok;
    if (!ask(ctx, "GET", base + "/" + escaped(args[0]), {}, one, code))
      return code;
    if (ctx.json) {
      *ctx.out << one.dump(2) << '\n';
    } else {
      table t{{"FIELD", "VALUE"}};
      for (const auto& [key, value] : one.items())
        t.add({key, value.is_array() ? joined(value) : cell(value)});
      t.print(*ctx.out);
    }
    return ok;
  }
  bool sessions = what == "sessions";
  table t{sessions ? std::vector<std::string>{"SESSION", "NODE", "STREAMS",
                                              "ROOMS", "INFO"}
                   : std::vector<std::string>{"ROOM", "TYPE", "NODE", "MEMBERS",
                                              "MAX"}};
  json all = json::array();
  json next;
  auto after = ctx.after;
  size_t count = 0;
  do {
    auto query = "?limit=" + (ctx.limit.empty() ? "100" : ctx.limit) +
                 (after.empty() ? "" : "&after=" + escaped(after));
    json page;
    int code = ok;
    if (!ask(ctx, "GET", base + query, {}, page, code))
      return code;
    for (const auto& x : page[what]) {
      ++count;
      all.push_back(x);
      if (sessions)
        t.add({cell(x["session"]), cell(x["node"]), cell(x["streams"]),
               joined(x["rooms"]), cell(x["info"])});
      else
        t.add({cell(x["room"]), cell(x["type"]), cell(x["node"]),
               cell(x["members"]), cell(x["max_members"])});
    }
    next = page["next"];
    after = next.is_string() ? next.get<std::string>() : "";
  } while (ctx.all && !after.empty());
  if (ctx.json) {
    *ctx.out << json{{what, all}, {"next", ctx.all ? json{} : next}}.dump(2)
             << '\n';
    return ok;
  }
  t.print(*ctx.out);
  *ctx.out << count << " " << what;
  if (next.is_string() && !ctx.all)
    *ctx.out << "; more after " << next.get<std::string>()
             << " (--after, or --all)";
  *ctx.out << '\n';
  return ok;
}

/// The JSON of a payload argument: JSON if it parses, else the string.
json payload_of(const std::vector<std::string>& args, size_t at) {
  if (args.size() <= at)
    return nullptr;
  auto parsed = json::parse(args[at], nullptr, false);
  return parsed.is_discarded() ? json(args[at]) : parsed;
}

int wrong(context& ctx, const std::string& text) {
  *ctx.err << "tetherctl: " << text << " (see tetherctl --help)\n";
  return usage;
}

} // namespace

int run(context& ctx, const std::string& command,
        const std::vector<std::string>& args) {
  if (command == "nodes")
    return args.empty() ? nodes(ctx) : wrong(ctx, "nodes takes no argument");
  if (command == "sessions" || command == "rooms")
    return args.size() <= 1 ? list(ctx, command, args)
                            : wrong(ctx, command + " takes at most an id");
  if (command == "publish") {
    if (args.size() < 2 || args.size() > 3)
      return wrong(ctx, "publish ROOM NAME [PAYLOAD]");
    return act(ctx, "POST", "/api/v1/rooms/" + escaped(args[0]) + "/broadcast",
               {{"name", args[1]}, {"payload", payload_of(args, 2)}},
               "published " + args[1] + " to " + args[0]);
  }
  if (command == "signal") {
    if (args.size() < 2 || args.size() > 3)
      return wrong(ctx, "signal SESSION NAME [PAYLOAD]");
    return act(ctx, "POST", "/api/v1/sessions/" + escaped(args[0]) + "/signal",
               {{"name", args[1]}, {"payload", payload_of(args, 2)}},
               "signalled " + args[1] + " to " + args[0]);
  }
  if (command == "kick") {
    if (args.size() != 1)
      return wrong(ctx, "kick SESSION");
    return act(ctx, "DELETE", "/api/v1/sessions/" + escaped(args[0]), nullptr,
               "closed session " + args[0]);
  }
  if (command == "migrate") {
    if (args.size() != 3 || (args[0] != "session" && args[0] != "room"))
      return wrong(ctx, "migrate session|room ID NODE");
    return act(ctx, "POST",
               "/api/v1/" + args[0] + "s/" + escaped(args[1]) + "/migrate",
               {{"to", args[2]}},
               args[0] + " " + args[1] + " now on " + args[2]);
  }
  if (command == "drain") {
    if (!args.empty())
      return wrong(ctx, "drain takes no argument");
    return act(ctx, "POST", "/api/v1/drain", json::object(),
               "the node drains and will exit");
  }
  return wrong(ctx, "unknown command '" + command + "'");
}

} // namespace tether::ctl
