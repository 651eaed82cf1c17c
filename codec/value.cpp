#include "tether/codec/value.hpp"

#include <string_view>

namespace tether::codec {

value value::map(const std::vector<std::pair<std::string, value>>& entries) {
  msgpack::sbuffer buf;
  msgpack::packer<msgpack::sbuffer> pk{buf};
  pk.pack_map(static_cast<uint32_t>(entries.size()));
  for (const auto& [key, val] : entries) {
    pk.pack(key);
    buf.write(val.encoded().data(), val.encoded().size());
  }
  return from_encoded(std::string{buf.data(), buf.size()});
}

value value::array(const std::vector<value>& items) {
  msgpack::sbuffer buf;
  msgpack::packer<msgpack::sbuffer> pk{buf};
  pk.pack_array(static_cast<uint32_t>(items.size()));
  for (const auto& item : items)
    buf.write(item.encoded().data(), item.encoded().size());
  return from_encoded(std::string{buf.data(), buf.size()});
}

msgpack::object_handle value::unpack() const {
  return msgpack::unpack(bytes_.data(), bytes_.size());
}

value lookup(const value& x, const std::string& key) {
  try {
    auto handle = x.unpack();
    const auto& obj = handle.get();
    if (obj.type != msgpack::type::MAP)
      return {};
    for (uint32_t i = 0; i < obj.via.map.size; ++i) {
      const auto& kv = obj.via.map.ptr[i];
      // Compared in place: a string made of every key would cost an
      // allocation per key on every lookup.
      if (kv.key.type == msgpack::type::STR &&
          std::string_view{kv.key.via.str.ptr, kv.key.via.str.size} == key)
        return value::of(kv.val);
    }
  } catch (const std::exception&) {
    // Not decodable: treated as absent, like any other non-map.
  }
  return {};
}

} // namespace tether::codec
