#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "tether/codec/value.hpp"

namespace tether::codec {

/// Reads `key` of a map payload as an unsigned integer; false when missing
/// or of another type.
bool get_uint(const value& map, const std::string& key, uint64_t& out);

/// Reads `key` of a map payload as a string.
bool get_string(const value& map, const std::string& key, std::string& out);

/// Reads `key` of a map payload as a boolean.
bool get_bool(const value& map, const std::string& key, bool& out);

/// Reads `key` of a map payload as a signed integer.
bool get_int(const value& map, const std::string& key, int64_t& out);

/// Reads `key` of a map payload as a list of strings.
bool get_strings(const value& map, const std::string& key,
                 std::vector<std::string>& out);

/// The entries of a map with string keys, in order; false if `x` is not
/// such a map.
bool map_entries(const value& x,
                 std::vector<std::pair<std::string, value>>& out);

/// Whether `x` is a plain value: nil, bool, int, float, str or bin.
bool is_plain(const value& x);

/// The bytes a payload carries: the data of a bin or str, else its encoding.
size_t payload_bytes(const value& x);

} // namespace tether::codec
