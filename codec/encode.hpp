#pragma once

#include <string>
#include <string_view>
#include <tuple>

#include "tether/codec/frames.hpp"

namespace tether::codec {

namespace detail {

void put_header(std::string& out, uint32_t field_count, kind k);
void put(std::string& out, uint64_t x);
void put(std::string& out, bool x);
void put(std::string& out, const std::string& x);
void put(std::string& out, const value& x);
void put(std::string& out, const nested_frame& x);

} // namespace detail

/// Appends one frame of a known type to `out`. A batch is frames appended
/// back to back.
template <class Frame> void encode_one(const Frame& x, std::string& out) {
  auto fields = x.fields();
  detail::put_header(out, std::tuple_size_v<decltype(fields)>, Frame::kind_v);
  std::apply([&](const auto&... f) { (detail::put(out, f), ...); }, fields);
}

/// Appends SEQ `seq` around the already encoded frame `inner`: what
/// `encode_one(seq{seq, nested_frame{inner}})` writes, without first copying
/// `inner` into a frame.
void encode_seq(uint64_t seq, std::string_view inner, std::string& out);

/// Appends the encoding of any frame to `out`.
void encode(const frame& x, std::string& out);

/// The encoding of one frame, as a new string.
std::string encode(const frame& x);

} // namespace tether::codec
