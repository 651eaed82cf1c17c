#pragma once

#include <cstdint>
#include <string>

#include "codec/value.hpp"

namespace tether {

/// Reads `key` of a map payload as an unsigned integer; false when missing
/// or of another type.
bool get_uint(const codec::value& map, const std::string& key, uint64_t& out);

/// Reads `key` of a map payload as a string.
bool get_string(const codec::value& map, const std::string& key,
                std::string& out);

/// The bytes a payload carries: the data of a bin or str, else its encoding.
size_t payload_bytes(const codec::value& x);

} // namespace tether
