#pragma once

#include <sstream>
#include <string>

namespace tether::log {

enum class level { debug, info, warning, error };

/// Messages below this level are dropped (set from `--log-level`).
void set_level(level x);
bool enabled(level x);

/// How lines look (`--log-format`): readable text, or one JSON object per
/// line ({"ts", "level", "component", "msg"}) for log shippers.
enum class format { text, json };
void set_format(format x);

/// Writes one line to stderr: time, level, the component, the text.
void write(level x, const char* component, const std::string& text);

} // namespace tether::log

// Builds the text only when the level is enabled.
#define TETHER_LOG(lvl, component, expr)                                       \
  do {                                                                         \
    if (::tether::log::enabled(::tether::log::level::lvl)) {                   \
      std::ostringstream tether_log_os_;                                       \
      tether_log_os_ << expr;                                                  \
      ::tether::log::write(::tether::log::level::lvl, component,               \
                           tether_log_os_.str());                              \
    }                                                                          \
  } while (false)
