#pragma once

#include <string_view>

namespace tether::js {

/// The browser client (clients/js bundled by esbuild): the ES module the
/// node serves at `/tether.js`.
std::string_view bundle();

} // namespace tether::js
