#include "actors/behaviors/payload_fields.hpp"

namespace tether {

bool get_uint(const codec::value& map, const std::string& key, uint64_t& out) {
  auto x = codec::lookup(map, key);
  return !x.is_nil() && x.convert_to(out);
}

bool get_string(const codec::value& map, const std::string& key,
                std::string& out) {
  auto x = codec::lookup(map, key);
  return !x.is_nil() && x.convert_to(out);
}

size_t payload_bytes(const codec::value& x) {
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

} // namespace tether
