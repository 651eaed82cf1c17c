#include "tether/codec/encode.hpp"

#include <msgpack.hpp>

namespace tether::codec {

namespace {

/// msgpack-c's packer writes into any type with `write(const char*, size_t)`.
struct string_sink {
  std::string& out;
  void write(const char* data, size_t size) { out.append(data, size); }
};

msgpack::packer<string_sink> packer_for(string_sink& sink) {
  return msgpack::packer<string_sink>{sink};
}

} // namespace

namespace detail {

void put_header(std::string& out, uint32_t field_count, kind k) {
  string_sink sink{out};
  auto pk = packer_for(sink);
  pk.pack_array(field_count + 1);
  pk.pack_uint8(static_cast<uint8_t>(k));
}

void put(std::string& out, uint64_t x) {
  string_sink sink{out};
  packer_for(sink).pack_uint64(x);
}

void put(std::string& out, bool x) {
  out.push_back(x ? '\xc3' : '\xc2');
}

void put(std::string& out, const std::string& x) {
  string_sink sink{out};
  auto pk = packer_for(sink);
  pk.pack_str(static_cast<uint32_t>(x.size()));
  pk.pack_str_body(x.data(), static_cast<uint32_t>(x.size()));
}

void put(std::string& out, const value& x) {
  out += x.encoded();
}

void put(std::string& out, const nested_frame& x) {
  out += x.bytes;
}

} // namespace detail

void encode(const frame& x, std::string& out) {
  std::visit([&](const auto& f) { encode_one(f, out); }, x);
}

void encode_seq(uint64_t seq, std::string_view inner, std::string& out) {
  out.reserve(out.size() + inner.size() + 10);
  detail::put_header(out, 2, kind::seq);
  detail::put(out, seq);
  out.append(inner);
}

std::string encode(const frame& x) {
  std::string out;
  encode(x, out);
  return out;
}

} // namespace tether::codec
