#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "codec/value.hpp"

namespace tether {

/// Reads `key` of a map payload as an unsigned integer; false when missing
/// or of another type.
bool get_uint(const codec::value& map, const std::string& key, uint64_t& out);

/// Reads `key` of a map payload as a string.
bool get_string(const codec::value& map, const std::string& key,
                std::string& out);

/// Reads `key` of a map payload as a boolean.
bool get_bool(const codec::value& map, const std::string& key, bool& out);

/// Reads `key` of a map payload as a signed integer.
bool get_int(const codec::value& map, const std::string& key, int64_t& out);

/// Reads `key` of a map payload as a list of strings.
bool get_strings(const codec::value& map, const std::string& key,
                 std::vector<std::string>& out);

/// The entries of a map with string keys, in order; false if `x` is not
/// such a map.
bool map_entries(const codec::value& x,
                 std::vector<std::pair<std::string, codec::value>>& out);

/// Whether `x` is a plain value: nil, bool, int, float, str or bin.
bool is_plain(const codec::value& x);

/// The bytes a payload carries: the data of a bin or str, else its encoding.
size_t payload_bytes(const codec::value& x);

} // namespace tether
