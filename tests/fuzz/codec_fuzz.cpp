// The batch reader and frame decoder on any bytes: decoding never throws,
// never reads out of bounds, and whatever decodes encodes back to bytes
// that decode to the same frames (the encoder and decoder agree).

#include <string>
#include <variant>
#include <vector>

#include "fuzz_support.hpp"
#include "tether/codec/decode.hpp"
#include "tether/codec/encode.hpp"
#include "tether/codec/frames.hpp"

using namespace tether;

namespace {

std::string encode_all(const std::vector<codec::frame>& frames) {
  std::string out;
  for (const auto& f : frames)
    codec::encode(f, out);
  return out;
}

void check_round_trip(const std::vector<codec::frame>& frames) {
  auto once = encode_all(frames);
  auto again = codec::decode_batch(once.data(), once.size());
  auto* decoded = std::get_if<std::vector<codec::frame>>(&again);
  fuzz::check(decoded != nullptr, "an encoded batch does not decode");
  fuzz::check(decoded->size() == frames.size(), "frame count changed");
  fuzz::check(encode_all(*decoded) == once, "re-encoding changed the bytes");
  for (const auto& f : frames) {
    fuzz::check(std::string{codec::to_string(codec::kind_of(f))} != "UNKNOWN",
                "a decoded frame of no known kind");
    // SEQ carries a frame in its encoded form: it must be one, too.
    if (auto* s = std::get_if<codec::seq>(&f)) {
      const auto& inner = s->frame.bytes;
      codec::decode_frame(inner.data(), inner.size());
    }
  }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // libFuzzer's own buffer, of the exact size: ASan sees any read past it.
  auto* bytes = reinterpret_cast<const char*>(data);
  auto batch = codec::decode_batch(bytes, size);
  if (auto* frames = std::get_if<std::vector<codec::frame>>(&batch))
    check_round_trip(*frames);
  else
    fuzz::check(!std::get<codec::decode_error>(batch).reason.empty(),
                "a decode error without a reason");
  codec::decode_frame(bytes, size);
  return 0;
}
