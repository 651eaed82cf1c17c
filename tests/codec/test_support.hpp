#pragma once

// Helpers shared by the codec tests: hand-built MessagePack bytes, field-wise
// frame comparison, one sample frame of every kind, and decoding from an
// exact-size heap copy (so that sanitizers catch any read past the end).

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <limits>
#include <memory>
#include <ostream>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include <catch2/catch.hpp>
#include <msgpack.hpp>

#include "tether/codec/decode.hpp"
#include "tether/codec/encode.hpp"
#include "tether/codec/frames.hpp"
#include "tether/codec/value.hpp"

namespace tether::codec::test {

// -- bytes --------------------------------------------------------------------

/// Bytes from a list of byte values: bytes({0x94, 0x0a}).
inline std::string bytes(std::initializer_list<int> xs) {
  std::string out;
  for (int x : xs)
    out.push_back(static_cast<char>(x));
  return out;
}

/// "94 0a 07", for failure messages.
inline std::string hex(const std::string& x) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  for (size_t i = 0; i < x.size(); ++i) {
    if (i != 0)
      out.push_back(' ');
    auto b = static_cast<uint8_t>(x[i]);
    out.push_back(digits[b >> 4]);
    out.push_back(digits[b & 0x0f]);
  }
  return out;
}

/// Same as hex(), cut short for long inputs.
inline std::string short_hex(const std::string& x, size_t limit = 64) {
  if (x.size() <= limit)
    return hex(x);
  return hex(x.substr(0, limit)) + " ... (" + std::to_string(x.size()) +
         " bytes)";
}

/// Bytes compared in CHECKs and printed as hex when they differ.
struct as_hex {
  std::string bytes;

  friend bool operator==(const as_hex& x, const as_hex& y) {
    return x.bytes == y.bytes;
  }

  friend std::ostream& operator<<(std::ostream& out, const as_hex& x) {
    return out << short_hex(x.bytes, 96);
  }
};

/// The MessagePack encoding of anything msgpack-c packs (an independent
/// encoder, to check the codec against).
template <class T> std::string pack(const T& x) {
  msgpack::sbuffer buf;
  msgpack::pack(buf, x);
  return std::string{buf.data(), buf.size()};
}

/// An array header for `n` elements, in its shortest form.
inline std::string array_header(uint32_t n) {
  msgpack::sbuffer buf;
  msgpack::packer<msgpack::sbuffer>{buf}.pack_array(n);
  return std::string{buf.data(), buf.size()};
}

/// `[kind, fields...]` from already encoded parts.
inline std::string build_frame(const std::string& kind_bytes,
                               const std::vector<std::string>& fields) {
  auto out = array_header(static_cast<uint32_t>(fields.size() + 1));
  out += kind_bytes;
  for (const auto& f : fields)
    out += f;
  return out;
}

inline std::string build_frame(uint64_t k,
                               const std::vector<std::string>& fields) {
  return build_frame(pack(k), fields);
}

inline std::string build_frame(kind k, const std::vector<std::string>& fields) {
  return build_frame(static_cast<uint64_t>(k), fields);
}

/// `n` arrays of one element nested in each other around a nil.
inline std::string nested_arrays(size_t n) {
  return std::string(n, '\x91') + '\xc0';
}

/// `n` maps {"k": ...} nested in each other around a nil.
inline std::string nested_maps(size_t n) {
  std::string out;
  for (size_t i = 0; i < n; ++i)
    out += bytes({0x81, 0xa1, 'k'});
  return out + '\xc0';
}

// -- fields -------------------------------------------------------------------

/// What the contract asks of a field.
enum class field_type { uint, str, boolean, any, map, array };

inline const char* to_string(field_type x) {
  switch (x) {
  case field_type::uint:
    return "uint";
  case field_type::str:
    return "str";
  case field_type::boolean:
    return "bool";
  case field_type::any:
    return "any";
  case field_type::map:
    return "map";
  case field_type::array:
    return "array";
  }
  return "?";
}

inline field_type type_of(const uint64_t&) {
  return field_type::uint;
}
inline field_type type_of(const std::string&) {
  return field_type::str;
}
inline field_type type_of(const bool&) {
  return field_type::boolean;
}
inline field_type type_of(const value&) {
  return field_type::any;
}
inline field_type type_of(const map_value&) {
  return field_type::map;
}
inline field_type type_of(const nested_frame&) {
  return field_type::array;
}

inline std::string field_bytes(uint64_t x) {
  return pack(x);
}
inline std::string field_bytes(const std::string& x) {
  return pack(x);
}
inline std::string field_bytes(bool x) {
  return pack(x);
}
inline std::string field_bytes(const value& x) {
  return x.encoded();
}
inline std::string field_bytes(const nested_frame& x) {
  return x.bytes;
}

/// The fields of a frame after its kind, each encoded by msgpack-c.
inline std::vector<std::string> encoded_fields(const frame& x) {
  return std::visit(
      [](const auto& f) {
        return std::apply(
            [](const auto&... xs) {
              return std::vector<std::string>{field_bytes(xs)...};
            },
            f.fields());
      },
      x);
}

inline std::vector<field_type> field_types(const frame& x) {
  return std::visit(
      [](const auto& f) {
        return std::apply(
            [](const auto&... xs) {
              return std::vector<field_type>{type_of(xs)...};
            },
            f.fields());
      },
      x);
}

// -- comparison ---------------------------------------------------------------

inline bool same_field(const nested_frame& x, const nested_frame& y) {
  return x.bytes == y.bytes;
}

template <class T> bool same_field(const T& x, const T& y) {
  return x == y;
}

template <class Tuple, size_t... Is>
bool same_fields(const Tuple& x, const Tuple& y, std::index_sequence<Is...>) {
  return (same_field(std::get<Is>(x), std::get<Is>(y)) && ...);
}

/// Whether two frames have the same kind and equal fields.
inline bool same_frame(const frame& x, const frame& y) {
  if (x.index() != y.index())
    return false;
  return std::visit(
      [&y](const auto& a) {
        using frame_type = std::decay_t<decltype(a)>;
        const auto& b = std::get<frame_type>(y);
        using tuple_type = decltype(a.fields());
        return same_fields(
            a.fields(), b.fields(),
            std::make_index_sequence<std::tuple_size_v<tuple_type>>{});
      },
      x);
}

/// A frame as its kind name and its encoding, for failure messages.
inline std::string describe(const frame& x) {
  return std::string{codec::to_string(kind_of(x))} + " " + short_hex(encode(x));
}

// -- decoding -----------------------------------------------------------------

/// Decodes from a heap copy of exactly `in.size()` bytes.
inline decoded_batch decode(const std::string& in) {
  std::unique_ptr<char[]> copy{new char[in.size() + (in.empty() ? 1 : 0)]};
  std::copy(in.begin(), in.end(), copy.get());
  return decode_batch(copy.get(), in.size());
}

/// decode_frame() from a heap copy of exactly `in.size()` bytes.
inline std::variant<frame, decode_error> decode_one(const std::string& in) {
  std::unique_ptr<char[]> copy{new char[in.size() + (in.empty() ? 1 : 0)]};
  std::copy(in.begin(), in.end(), copy.get());
  return decode_frame(copy.get(), in.size());
}

/// The frames of a batch that must decode.
inline std::vector<frame> decode_ok(const std::string& in) {
  INFO("input: " << short_hex(in));
  decoded_batch result;
  REQUIRE_NOTHROW(result = decode(in));
  if (auto* err = std::get_if<decode_error>(&result))
    FAIL("rejected: " << err->reason);
  return std::get<std::vector<frame>>(std::move(result));
}

/// How many trailing fields of `x`'s kind a sender may leave out.
inline size_t optional_count(const frame& x) {
  return std::visit(
      [](const auto& f) -> size_t {
        return optional_fields_of<std::decay_t<decltype(f)>>::value;
      },
      x);
}

/// The one frame of a batch that must decode to exactly one frame.
inline frame decode_single(const std::string& in) {
  auto frames = decode_ok(in);
  REQUIRE(frames.size() == 1);
  return frames.front();
}

/// Checks that a batch is rejected with a reason, without throwing.
#define CHECK_REJECTS(input)                                                   \
  do {                                                                         \
    const std::string in_ = (input);                                           \
    INFO("input: " << ::tether::codec::test::short_hex(in_));                  \
    ::tether::codec::decoded_batch r_;                                         \
    CHECK_NOTHROW(r_ = ::tether::codec::test::decode(in_));                    \
    const auto* err_ = std::get_if<::tether::codec::decode_error>(&r_);        \
    CHECK(err_ != nullptr);                                                    \
    if (err_ != nullptr)                                                       \
      CHECK_FALSE(err_->reason.empty());                                       \
  } while (false)

// -- samples ------------------------------------------------------------------

/// A frame of each kind, its fields set away from their defaults.
inline std::vector<frame> sample_frames() {
  auto info = map_value{value::map(
      {{"name", value::of(std::string{"ann"})}, {"age", value::of(42)}})};
  auto limits = map_value{value::map({{"max_message", value::of(1048576)},
                                      {"max_inflight", value::of(64)},
                                      {"max_streams", value::of(8)},
                                      {"session_ttl_s", value::of(300)},
                                      {"ack_every", value::of(32)}})};
  auto payload = value::map({{"list", value::of(std::vector<int>{1, -2, 3})},
                             {"pi", value::of(3.25)},
                             {"ok", value::of(true)}});
  std::string inner = encode(frame{reply{7, value::of(std::string{"hi"})}});
  std::vector<frame> out;
  out.emplace_back(hello{
      1, "tether-js/1.0",
      map_value{value::map({{"token", value::of(std::string{"s3cret"})}})}});
  out.emplace_back(welcome{1, "node-a", "c-17", 15000, limits});
  out.emplace_back(heartbeat{65535, 1700000000});
  out.emplace_back(close{5, "draining", "wss://node-b.example/ws"});
  out.emplace_back(request{10, "sys.echo", payload});
  out.emplace_back(reply{10, value::of(std::string{"hello"})});
  out.emplace_back(error{11, "unknown_op", "no such op: x.y"});
  out.emplace_back(retry{12, 250, "rate_limit"});
  out.emplace_back(cancel{13});
  out.emplace_back(signal{"room.joined", payload});
  out.emplace_back(stream{14, "sys.sink", value::of(std::vector<int>{1, 2})});
  out.emplace_back(stream_part{14, value::of(-7), true, 2});
  out.emplace_back(result_part{15, value::of(2.5), true});
  out.emplace_back(session_open{16, info});
  out.emplace_back(session_attach{17, std::string(32, 'k')});
  out.emplace_back(session_resume{18, "tok.en", 4294967296u});
  out.emplace_back(session{19, "s-1", "key", "token", 99, true, info});
  out.emplace_back(session_close{20});
  out.emplace_back(session_closed{"closed"});
  out.emplace_back(ack{std::numeric_limits<uint64_t>::max()});
  out.emplace_back(seq{1, nested_frame{inner}});
  out.emplace_back(room_message{"r-1", "s-2", "chat", payload});
  return out;
}

/// All sample frames, encoded back to back.
inline std::string sample_batch() {
  std::string out;
  for (const auto& f : sample_frames())
    encode(f, out);
  return out;
}

} // namespace tether::codec::test
