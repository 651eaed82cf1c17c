#pragma once

namespace tether::test {

/// Whether the tests run under a sanitizer (`./tether.sh test --sanitize`
/// or `--tsan`). A node's memory is then the sanitizer's: ASan keeps 256 MiB
/// of freed blocks in quarantine and pads every allocation, TSan shadows
/// each byte of memory. Tests that bound a node's RSS check it in the plain
/// build only; what they check besides runs in both.
#ifdef TETHER_SANITIZED
constexpr bool sanitized = true;
#else
constexpr bool sanitized = false;
#endif

} // namespace tether::test
