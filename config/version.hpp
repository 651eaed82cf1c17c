#pragma once

namespace tether::config {

/// The project's version (CMake's `project(... VERSION ...)`), e.g.
/// "0.1.0": `tether-node --version` and `sys.info`'s `build`. The wire
/// protocol's version is another number (WELCOME, `sys.info`'s `version`).
const char* build_version() noexcept;

} // namespace tether::config
