#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "tether/codec/value.hpp"
#include "tether/config/limits.hpp"

namespace tether {

/// Bytes a property takes in answers and in the store: its key and its
/// encoded value.
inline size_t prop_bytes(const std::string& key, const codec::value& v) {
  return key.size() + v.encoded().size();
}

/// Why setting `changes` (a nil value removes) on `props` would take the
/// room over the node's limits on properties, or empty if it would not.
/// Nothing is changed either way.
inline std::string props_over_limits(
    const std::map<std::string, codec::value>& props,
    const std::vector<std::pair<std::string, codec::value>>& changes,
    const config::limits& lim) {
  size_t count = props.size();
  size_t bytes = 0;
  for (const auto& kv : props)
    bytes += prop_bytes(kv.first, kv.second);
  std::map<std::string, const codec::value*> seen;
  for (const auto& kv : changes)
    seen[kv.first] = &kv.second;
  for (const auto& [key, v] : seen) {
    if (auto i = props.find(key); i != props.end()) {
      bytes -= prop_bytes(key, i->second);
      --count;
    }
    if (!v->is_nil()) {
      bytes += prop_bytes(key, *v);
      ++count;
    }
  }
  if (count > lim.room_max_props)
    return "a room holds at most " + std::to_string(lim.room_max_props) +
           " properties";
  if (bytes > lim.room_max_props_bytes)
    return "a room's properties take at most " +
           std::to_string(lim.room_max_props_bytes) + " bytes";
  return {};
}

} // namespace tether
