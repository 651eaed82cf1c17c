#include "tether/codec/decode.hpp"

#include <algorithm>
#include <tuple>
#include <type_traits>

#include "tether/codec/reader.hpp"

namespace tether::codec {

namespace {

template <class Frame>
bool read_fields(reader& in, uint32_t count, frame& out) {
  Frame x;
  auto fields = x.fields();
  constexpr uint32_t all = std::tuple_size_v<decltype(fields)>;
  constexpr uint32_t needed = all - optional_fields_of<Frame>::value;
  if (count < needed + 1)
    return in.fail(std::string{to_string(Frame::kind_v)} + ": missing fields");
  uint32_t present = std::min(all, count - 1);
  uint32_t i = 0;
  bool ok = std::apply(
      [&](auto&... f) { return ((i++ >= present || in.read(f)) && ...); },
      fields);
  if (!ok)
    return in.fail(std::string{to_string(Frame::kind_v)} + ": bad field");
  // Extra trailing fields are room for later minor additions.
  for (uint32_t i = all + 1; i < count; ++i)
    if (!in.skip())
      return false;
  out = std::move(x);
  return true;
}

template <size_t... Is>
bool read_by_kind(reader& in, uint64_t k, uint32_t count, frame& out,
                  std::index_sequence<Is...>) {
  bool matched = false;
  bool ok = false;
  ((!matched && static_cast<uint64_t>(
                    std::variant_alternative_t<Is, frame>::kind_v) == k
        ? (matched = true,
           ok = read_fields<std::variant_alternative_t<Is, frame>>(in, count,
                                                                   out))
        : false),
   ...);
  if (!matched)
    return in.fail("unknown frame kind " + std::to_string(k));
  return ok;
}

bool read_frame(reader& in, frame& out) {
  uint32_t count;
  if (!in.read_array_header(count))
    return in.fail("a frame must be an array");
  if (count == 0)
    return in.fail("empty frame");
  uint64_t k;
  if (!in.read(k))
    return in.fail("a frame must start with its kind");
  return read_by_kind(in, k, count, out,
                      std::make_index_sequence<std::variant_size_v<frame>>{});
}

} // namespace

decoded_batch decode_batch(const char* data, size_t size, size_t max_frames) {
  std::vector<frame> frames;
  reader in{data, size};
  if (in.at_end())
    return decode_error{"empty message"};
  while (!in.at_end()) {
    if (frames.size() == max_frames)
      return decode_error{"more than " + std::to_string(max_frames) +
                              " frames in one message",
                          true};
    frame f;
    if (!read_frame(in, f))
      return decode_error{in.error()};
    frames.emplace_back(std::move(f));
  }
  return frames;
}

std::variant<frame, decode_error> decode_frame(const char* data, size_t size) {
  reader in{data, size};
  frame f;
  if (!read_frame(in, f))
    return decode_error{in.error()};
  if (!in.at_end())
    return decode_error{"trailing bytes after the frame"};
  return f;
}

} // namespace tether::codec
