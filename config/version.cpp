#include "tether/config/version.hpp"

namespace tether::config {

const char* build_version() noexcept {
  return TETHER_BUILD_VERSION;
}

} // namespace tether::config
