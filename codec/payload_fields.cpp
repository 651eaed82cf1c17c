#include "tether/codec/payload_fields.hpp"

namespace tether::codec {

bool get_uint(const value& map, const std::string& key, uint64_t& out) {
  auto x = lookup(map, key);
  return !x.is_nil() && x.convert_to(out);
}

bool get_string(const value& map, const std::string& key, std::string& out) {
  auto x = lookup(map, key);
  return !x.is_nil() && x.convert_to(out);
}

bool get_bool(const value& map, const std::string& key, bool& out) {
  auto x = lookup(map, key);
  return !x.is_nil() && x.convert_to(out);
}

bool get_int(const value& map, const std::string& key, int64_t& out) {
  auto x = lookup(map, key);
  return !x.is_nil() && x.convert_to(out);
}

bool get_strings(const value& map, const std::string& key,
                 std::vector<std::string>& out) {
  auto x = lookup(map, key);
  return !x.is_nil() && x.convert_to(out);
}

bool map_entries(const value& x,
                 std::vector<std::pair<std::string, value>>& out) {
  try {
    auto handle = x.unpack();
    const auto& obj = handle.get();
    if (obj.type != msgpack::type::MAP)
      return false;
    for (uint32_t i = 0; i < obj.via.map.size; ++i) {
      const auto& kv = obj.via.map.ptr[i];
      if (kv.key.type != msgpack::type::STR)
        return false;
      out.emplace_back(kv.key.as<std::string>(), value::of(kv.val));
    }
    return true;
  } catch (const std::exception&) {
    return false;
  }
}

bool is_plain(const value& x) {
  if (x.encoded().empty())
    return false;
  auto b = static_cast<uint8_t>(x.encoded()[0]);
  // By the first byte: fixints, nil, bool, bin, float, ints, fixstr, str.
  return b <= 0x7f || (b >= 0xa0 && b <= 0xbf) || b == 0xc0 || b == 0xc2 ||
         b == 0xc3 || (b >= 0xc4 && b <= 0xc6) || (b >= 0xca && b <= 0xd3) ||
         (b >= 0xd9 && b <= 0xdb) || b >= 0xe0;
}

size_t payload_bytes(const value& x) {
  try {
    auto handle = x.unpack();
    const auto& obj = handle.get();
    if (obj.type == msgpack::type::BIN)
      return obj.via.bin.size;
    if (obj.type == msgpack::type::STR)
      return obj.via.str.size;
  } catch (const std::exception&) {
    // Falls through to the encoded size.
  }
  return x.encoded().size();
}

} // namespace tether::codec
