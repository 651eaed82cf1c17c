#include "tether/actors/log.hpp"

#include <atomic>
#include <chrono>
#include <cstdio>
#include <ctime>

#include <nlohmann/json.hpp>

namespace tether::log {

namespace {

std::atomic<level> threshold{level::info};
std::atomic<format> style{format::text};

const char* name_of(level x) {
  switch (x) {
  case level::debug:
    return "DEBUG";
  case level::info:
    return "INFO";
  case level::warning:
    return "WARN";
  case level::error:
    return "ERROR";
  }
  return "?";
}

} // namespace

void set_level(level x) {
  threshold = x;
}

void set_format(format x) {
  style = x;
}

bool enabled(level x) {
  return x >= threshold.load();
}

void write(level x, const char* component, const std::string& text) {
  using namespace std::chrono;
  auto now = system_clock::now();
  auto secs = system_clock::to_time_t(now);
  auto ms = duration_cast<milliseconds>(now.time_since_epoch()).count() % 1000;
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char stamp[32];
  std::strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", &tm);
  // One fprintf per line keeps lines from different threads whole.
  if (style.load() == format::json) {
    char ts[40];
    std::snprintf(ts, sizeof(ts), "%s.%03dZ", stamp, static_cast<int>(ms));
    nlohmann::json line{{"ts", ts},
                        {"level", name_of(x)},
                        {"component", component},
                        {"msg", text}};
    // Bytes that are not UTF-8 (a peer's text) must not lose the line.
    auto out =
        line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    std::fprintf(stderr, "%s\n", out.c_str());
  } else {
    std::fprintf(stderr, "%s.%03dZ %-5s [%s] %s\n", stamp, static_cast<int>(ms),
                 name_of(x), component, text.c_str());
  }
}

} // namespace tether::log
