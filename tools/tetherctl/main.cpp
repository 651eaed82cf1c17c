// tetherctl: the admin API of a Tether node from the command line.

#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

#include "commands.hpp"

namespace {

const char* const help = R"(Usage: tetherctl [OPTIONS] COMMAND [ARGS]

Talks to a Tether node's admin API (tether-node --admin-token).

Commands:
  nodes                          the node, its counts and its cluster
  sessions [ID]                  sessions of the whole cluster (a page), or one
  rooms [ID]                     rooms of the whole cluster (a page), or one
  publish ROOM NAME [PAYLOAD]    ROOM_MESSAGE NAME to every member (from the node)
  signal SESSION NAME [PAYLOAD]  SIGNAL NAME to every stream of the session
  kick SESSION                   close the session (its streams get SESSION_CLOSED)
  migrate session|room ID NODE   move a session or room to another node
  drain                          drain the node (as SIGTERM), which then exits

PAYLOAD is JSON (a bare word is taken as a string).

Options:
  --url URL      the node: http://HOST:PORT or https://HOST:PORT, maybe with
                 a path prefix behind a proxy (default: $TETHER_URL, else
                 http://127.0.0.1:8080)
  --token TOKEN  the admin token (default: $TETHER_TOKEN)
  --json         print the node's JSON instead of tables (for scripts)
  --limit N      page size of sessions and rooms (1 to 1000; default 100)
  --after ID     start the page after this id
  --all          follow every page
  --insecure     do not verify the node's TLS certificate
  --help         this text

Exit codes:
  0  done
  1  the node refused (an HTTP error: 401 bad token, 404 not found, 400, 409)
  2  wrong command line
  3  the node could not be reached (connection, TLS, timeout)
)";

std::string env_or(const char* name, const std::string& fallback) {
  const char* x = std::getenv(name);
  return x && *x ? x : fallback;
}

} // namespace

int main(int argc, char** argv) {
  using namespace tether::ctl;
  context ctx;
  ctx.out = &std::cout;
  ctx.err = &std::cerr;
  auto url = env_or("TETHER_URL", "http://127.0.0.1:8080");
  ctx.at.token = env_or("TETHER_TOKEN", "");
  std::vector<std::string> words;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    auto value = [&](std::string& out) {
      auto eq = arg.find('=');
      if (eq != std::string::npos) {
        out = arg.substr(eq + 1);
        return true;
      }
      if (i + 1 >= argc)
        return false;
      out = argv[++i];
      return true;
    };
    auto is = [&](const char* name) {
      return arg == name || arg.rfind(std::string{name} + "=", 0) == 0;
    };
    bool good = true;
    if (arg == "--help" || arg == "-h") {
      std::cout << help;
      return ok;
    } else if (is("--url")) {
      good = value(url);
    } else if (is("--token")) {
      good = value(ctx.at.token);
    } else if (is("--limit")) {
      good = value(ctx.limit);
    } else if (is("--after")) {
      good = value(ctx.after);
    } else if (arg == "--json") {
      ctx.json = true;
    } else if (arg == "--all") {
      ctx.all = true;
    } else if (arg == "--insecure") {
      ctx.at.verify = false;
    } else if (arg.size() > 1 && arg[0] == '-' && words.empty()) {
      std::cerr << "tetherctl: unknown option " << arg
                << " (see tetherctl --help)\n";
      return usage;
    } else {
      words.push_back(arg);
    }
    if (!good) {
      std::cerr << "tetherctl: " << arg << " needs a value\n";
      return usage;
    }
  }
  if (words.empty()) {
    std::cerr << help;
    return usage;
  }
  std::string problem;
  if (!parse_url(url, ctx.at, problem)) {
    std::cerr << "tetherctl: " << problem << '\n';
    return usage;
  }
  auto command = words.front();
  words.erase(words.begin());
  return run(ctx, command, words);
}
