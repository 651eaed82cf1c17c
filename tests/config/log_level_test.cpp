// The runtime applies --log-level itself, so embedded nodes get it too;
// --log-format=json writes JSON lines; --version.

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <unistd.h>
#include <vector>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "tether/actors/log.hpp"
#include "tether/actors/runtime.hpp"
#include "tether/config/options.hpp"
#include "tether/config/version.hpp"

using tether::log::level;

TEST_CASE("the runtime applies --log-level for embedded nodes") {
  struct level_case {
    std::string name;
    level lowest;
  };
  for (const auto& c : std::vector<level_case>{{"debug", level::debug},
                                               {"warning", level::warning},
                                               {"error", level::error},
                                               {"info", level::info}}) {
    INFO(c.name);
    std::vector<std::string> args{"embedder",
                                  "--log-level=" + c.name,
                                  "--listen=127.0.0.1:0",
                                  "--store=none",
                                  "--sched-batch=false",
                                  "--secret=" + std::string(64, 'a')};
    std::vector<const char*> argv;
    for (const auto& a : args)
      argv.push_back(a.c_str());
    auto parsed = tether::config::parse(static_cast<int>(argv.size()),
                                        argv.data(), "embedder");
    REQUIRE(parsed.opts);
    // Whatever was in force before: the node's options win.
    tether::log::set_level(c.lowest == level::error ? level::debug
                                                    : level::error);
    tether::runtime node{*parsed.opts};
    CHECK(tether::log::enabled(c.lowest));
    if (c.lowest != level::debug)
      CHECK_FALSE(tether::log::enabled(
          static_cast<level>(static_cast<int>(c.lowest) - 1)));
  }
  tether::log::set_level(level::info);
}

TEST_CASE("with --log-format=json every log line is one JSON object") {
  // Catch stderr in a file for the length of one log line.
  char path[] = "/tmp/tether-log-XXXXXX";
  int fd = ::mkstemp(path);
  REQUIRE(fd >= 0);
  std::fflush(stderr);
  int saved = ::dup(STDERR_FILENO);
  ::dup2(fd, STDERR_FILENO);
  tether::log::set_format(tether::log::format::json);
  tether::log::write(level::warning, "test", "a \"quoted\"\nline \x01");
  tether::log::set_format(tether::log::format::text);
  std::fflush(stderr);
  ::dup2(saved, STDERR_FILENO);
  ::close(saved);
  std::ifstream in{path};
  std::string line;
  std::getline(in, line);
  ::close(fd);
  ::unlink(path);
  auto j = nlohmann::json::parse(line);
  CHECK(j["level"] == "WARN");
  CHECK(j["component"] == "test");
  CHECK(j["msg"] == "a \"quoted\"\nline \x01");
  CHECK(j["ts"].get<std::string>().size() == 24); // 2026-12-02T13:21:20.123Z
}

TEST_CASE("the log format is text or json") {
  std::vector<const char*> argv{"tether-node", "--log-format=xml"};
  auto parsed = tether::config::parse(2, argv.data());
  CHECK_FALSE(parsed.opts);
  CHECK(parsed.exit_code == 2);
  CHECK(parsed.text.find("--log-format") != std::string::npos);
}

TEST_CASE("the version option prints the build version and exits 0") {
  std::vector<const char*> argv{"tether-node", "--version"};
  auto parsed = tether::config::parse(2, argv.data());
  CHECK_FALSE(parsed.opts);
  CHECK(parsed.exit_code == 0);
  CHECK(parsed.text == std::string{"tether-node "} +
                           tether::config::build_version() +
                           " (wire protocol 1)");
}
