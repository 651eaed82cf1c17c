#pragma once

#include <cstdlib>
#include <optional>
#include <string>
#include <vector>

namespace tether::test {

/// The I/O and actor thread count every test node runs with, from
/// TETHER_TEST_THREADS (unset: the node's defaults). `./tether.sh test
/// --tsan` sets it to 2 so that TSan sees threads race on both sides.
inline std::optional<unsigned> test_threads() {
  const char* given = std::getenv("TETHER_TEST_THREADS");
  if (given == nullptr || *given == '\0')
    return std::nullopt;
  auto n = std::strtoul(given, nullptr, 10);
  if (n == 0)
    return std::nullopt;
  return static_cast<unsigned>(n);
}

/// `args` for a child node with `test_threads()` added, unless they name
/// a thread count themselves (a test that needs one keeps it).
inline std::vector<std::string>
with_test_threads(std::vector<std::string> args) {
  auto n = test_threads();
  if (!n)
    return args;
  for (const char* name : {"--io-threads", "--actor-threads"}) {
    bool named = false;
    for (const auto& a : args)
      named = named || a.rfind(name, 0) == 0;
    if (!named)
      args.push_back(std::string{name} + "=" + std::to_string(*n));
  }
  return args;
}

} // namespace tether::test
