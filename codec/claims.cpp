#include "tether/codec/claims.hpp"

#include <utility>
#include <vector>

namespace tether::codec {

map_value merge_claims(const value& info, const value& claims) {
  std::vector<std::pair<std::string, codec::value>> entries;
  auto add_all = [&entries](const value& map, bool override) {
    try {
      auto handle = map.unpack();
      const auto& obj = handle.get();
      if (obj.type != msgpack::type::MAP)
        return;
      for (uint32_t i = 0; i < obj.via.map.size; ++i) {
        const auto& kv = obj.via.map.ptr[i];
        if (kv.key.type != msgpack::type::STR)
          continue;
        auto key = kv.key.as<std::string>();
        auto val = value::of(kv.val);
        bool found = false;
        for (auto& e : entries)
          if (e.first == key) {
            found = true;
            if (override)
              e.second = val;
          }
        if (!found)
          entries.emplace_back(key, val);
      }
    } catch (const std::exception&) {
      // Not a map: contributes nothing.
    }
  };
  add_all(info, false);
  add_all(claims, true);
  return map_value{value::map(entries)};
}

} // namespace tether::codec
