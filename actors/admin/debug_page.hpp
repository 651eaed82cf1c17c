#pragma once

#include <string_view>

namespace tether::admin {

/// The page `/debug` serves: HTML, its CSS and script inline, nothing
/// loaded from elsewhere. It asks for the admin token (kept in
/// sessionStorage) and polls the admin API and `/metrics` with it.
std::string_view debug_page();

} // namespace tether::admin
