// Deterministic random inputs: random byte strings and random mutations of
// valid batches never make the decoder throw, and whatever it accepts
// survives an encode/decode round trip unchanged.

#include <catch2/catch.hpp>

#include <cstdint>
#include <random>
#include <string>
#include <variant>
#include <vector>

#include "test_support.hpp"
#include "tether/codec/decode.hpp"
#include "tether/codec/encode.hpp"
#include "tether/codec/frames.hpp"

using namespace tether::codec;
using namespace tether::codec::test;

namespace {

// Bytes that open MessagePack values of every type, and the kind numbers, so
// that random strings reach the decoder's deeper paths more often than noise.
constexpr uint8_t interesting[] = {
    0x00, 0x01, 0x02, 0x03, 0x04, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f,
    0x10, 0x11, 0x12, 0x14, 0x15, 0x16, 0x17, 0x18, 0x19, 0x1a, 0x1b,
    0x1e, 0x7f, 0x80, 0x81, 0x82, 0x8f, 0x90, 0x91, 0x92, 0x93, 0x94,
    0x95, 0x98, 0x9f, 0xa0, 0xa1, 0xa2, 0xbf, 0xc0, 0xc1, 0xc2, 0xc3,
    0xc4, 0xc5, 0xc6, 0xc7, 0xc8, 0xc9, 0xca, 0xcb, 0xcc, 0xcd, 0xce,
    0xcf, 0xd0, 0xd1, 0xd2, 0xd3, 0xd4, 0xd5, 0xd6, 0xd7, 0xd8, 0xd9,
    0xda, 0xdb, 0xdc, 0xdd, 0xde, 0xdf, 0xe0, 0xff};

constexpr uint8_t kinds[] = {1,  2,  3,  4,  10, 11, 12, 13, 14, 15, 16,
                             17, 18, 20, 21, 22, 23, 24, 25, 26, 27, 30};

/// Fixed-seed generator; `below` does not depend on the standard library's
/// distributions, so the inputs are the same everywhere.
struct random_source {
  std::mt19937 gen;

  explicit random_source(uint32_t seed) : gen(seed) {}

  uint32_t below(uint32_t n) { return static_cast<uint32_t>(gen() % n); }

  char any_byte() { return static_cast<char>(gen() & 0xff); }

  char interesting_byte() {
    return static_cast<char>(interesting[below(sizeof(interesting))]);
  }

  char mixed_byte() { return below(2) == 0 ? any_byte() : interesting_byte(); }
};

/// What the random inputs led to, to show that both outcomes were reached.
struct tally {
  size_t accepted = 0;
  size_t rejected = 0;
  size_t frames = 0;
};

/// Decodes `in` both ways without an exception. When it decodes, encoding the
/// frames and decoding them again gives the same frames.
void check_input(const std::string& in, tally& t) {
  INFO("input: " << hex(in));
  decoded_batch batch;
  REQUIRE_NOTHROW(batch = decode(in));
  std::variant<frame, decode_error> one;
  REQUIRE_NOTHROW(one = decode_one(in));
  auto* frames = std::get_if<std::vector<frame>>(&batch);
  if (frames == nullptr) {
    ++t.rejected;
    REQUIRE_FALSE(std::get<decode_error>(batch).reason.empty());
    // decode_frame accepts no more than decode_batch does.
    REQUIRE(std::holds_alternative<decode_error>(one));
    return;
  }
  ++t.accepted;
  t.frames += frames->size();
  REQUIRE_FALSE(in.empty());
  REQUIRE_FALSE(frames->empty());
  // decode_frame accepts exactly the batches of one frame.
  REQUIRE(std::holds_alternative<frame>(one) == (frames->size() == 1));
  if (frames->size() == 1)
    REQUIRE(same_frame(std::get<frame>(one), frames->front()));
  std::string again;
  for (const auto& f : *frames)
    REQUIRE_NOTHROW(encode(f, again));
  auto redecoded = decode_ok(again);
  REQUIRE(redecoded.size() == frames->size());
  for (size_t i = 0; i < frames->size(); ++i) {
    INFO("frame " << i << ": " << describe((*frames)[i]));
    REQUIRE(same_frame(redecoded[i], (*frames)[i]));
  }
}

/// Changes `x` in one random way.
void mutate(std::string& x, random_source& r) {
  if (x.empty()) {
    x.push_back(r.mixed_byte());
    return;
  }
  auto at = r.below(static_cast<uint32_t>(x.size()));
  switch (r.below(9)) {
  case 0: // overwrite a byte
    x[at] = r.any_byte();
    break;
  case 1: // overwrite with a type or kind byte
    x[at] = r.interesting_byte();
    break;
  case 2: // nudge a byte: counts, lengths and kinds off by one
    x[at] = static_cast<char>(x[at] + (r.below(2) == 0 ? 1 : -1));
    break;
  case 3: // flip one bit
    x[at] = static_cast<char>(x[at] ^ (1 << r.below(8)));
    break;
  case 4: // insert a byte
    x.insert(x.begin() + at, r.mixed_byte());
    break;
  case 5: // delete a byte
    x.erase(at, 1);
    break;
  case 6: // truncate
    x.resize(at);
    break;
  case 7: { // duplicate a slice
    auto len = r.below(static_cast<uint32_t>(x.size() - at)) + 1;
    x.insert(at, x.substr(at, len));
    break;
  }
  default: { // swap two bytes
    auto other = r.below(static_cast<uint32_t>(x.size()));
    std::swap(x[at], x[other]);
    break;
  }
  }
}

} // namespace

TEST_CASE("20000 random byte strings never make the decoder throw",
          "[codec][random]") {
  random_source r{20240611};
  tally t;
  for (int i = 0; i < 20000; ++i) {
    std::string in;
    auto size = r.below(65);
    switch (i % 4) {
    case 0: // noise
      for (uint32_t j = 0; j < size; ++j)
        in.push_back(r.any_byte());
      break;
    case 1: // MessagePack type bytes only
      for (uint32_t j = 0; j < size; ++j)
        in.push_back(r.interesting_byte());
      break;
    case 2: // a mix
      for (uint32_t j = 0; j < size; ++j)
        in.push_back(r.mixed_byte());
      break;
    default: // a plausible frame header and kind, then a mix
      in.push_back(static_cast<char>(0x91 + r.below(8)));
      in.push_back(static_cast<char>(kinds[r.below(sizeof(kinds))]));
      for (uint32_t j = 0; j < size; ++j)
        in.push_back(r.mixed_byte());
      break;
    }
    check_input(in, t);
  }
  INFO("accepted " << t.accepted << ", rejected " << t.rejected);
  CHECK(t.accepted + t.rejected == 20000);
  CHECK(t.rejected > 10000);
  // Some random strings are valid frames ([26, 5] is two bytes after the
  // header), so the round-trip check above did run.
  CHECK(t.accepted > 0);
}

TEST_CASE("random mutations of valid batches never make the decoder throw",
          "[codec][random]") {
  random_source r{7};
  auto samples = sample_frames();
  std::vector<std::string> bases;
  for (const auto& f : samples)
    bases.push_back(encode(f));
  bases.push_back(sample_batch());
  bases.push_back(encode(frame{cancel{1}}) + encode(frame{ack{2}}));
  tally t;
  for (int i = 0; i < 20000; ++i) {
    auto in = bases[r.below(static_cast<uint32_t>(bases.size()))];
    auto count = 1 + r.below(4);
    for (uint32_t j = 0; j < count; ++j)
      mutate(in, r);
    check_input(in, t);
  }
  INFO("accepted " << t.accepted << ", rejected " << t.rejected << ", frames "
                   << t.frames);
  CHECK(t.accepted + t.rejected == 20000);
  // A changed byte inside a string or payload leaves a valid batch; most
  // other changes do not: both paths were taken many times.
  CHECK(t.accepted > 1000);
  CHECK(t.rejected > 1000);
}
