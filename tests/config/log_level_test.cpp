// The runtime applies --log-level itself, so embedded nodes get it too.

#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "actors/log.hpp"
#include "actors/runtime.hpp"
#include "config/options.hpp"

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
