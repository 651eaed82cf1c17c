#pragma once

#include "tether/codec/value.hpp"

namespace tether::codec {

/// `info` with the verified `claims` merged in (claims win), as a map:
/// what a session's info is once its client authenticated.
map_value merge_claims(const value& info, const value& claims);

} // namespace tether::codec
