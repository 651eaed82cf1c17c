#pragma once

// What every fuzz target shares: the input as text, and a check that stops
// the run (libFuzzer saves the input as a crash) when an invariant breaks.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

namespace tether::fuzz {

inline std::string as_string(const uint8_t* data, size_t size) {
  return std::string{reinterpret_cast<const char*>(data), size};
}

/// Aborts with `what` unless `ok`: a broken invariant is a crash to keep.
inline void check(bool ok, const char* what) {
  if (ok)
    return;
  std::fprintf(stderr, "fuzz invariant broken: %s\n", what);
  std::abort();
}

} // namespace tether::fuzz
