// Malformed input of every kind gives a decode_error: never an exception,
// never a crash, never a partial batch.

#include <catch2/catch.hpp>

#include <cstdint>
#include <limits>
#include <map>
#include <string>
#include <variant>
#include <vector>

#include "test_support.hpp"
#include "tether/codec/decode.hpp"
#include "tether/codec/encode.hpp"
#include "tether/codec/frames.hpp"
#include "tether/codec/reader.hpp"
#include "tether/codec/value.hpp"

using namespace tether::codec;
using namespace tether::codec::test;

namespace {

/// A valid REQUEST [10, 7, "op", nil] after its kind: used behind bad kinds.
std::vector<std::string> request_fields() {
  return {pack(7), pack(std::string{"op"}), bytes({0xc0})};
}

/// Values of the wrong type for each field type of the contract.
std::map<field_type, std::vector<std::string>> wrong_values() {
  std::map<field_type, std::vector<std::string>> out;
  out[field_type::uint] = {
      pack(std::string{"7"}),
      bytes({0xff}),                         // -1
      bytes({0xe0}),                         // -32
      bytes({0xd0, 0xff}),                   // int8 -1
      bytes({0xd0, 0x80}),                   // int8 -128
      bytes({0xd1, 0xff, 0xff}),             // int16 -1
      bytes({0xd2, 0x80, 0x00, 0x00, 0x00}), // int32 min
      bytes({0xd3, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}), // -1
      bytes({0xd3, 0x80, 0, 0, 0, 0, 0, 0, 0}),    // int64 min
      bytes({0xcb, 0x40, 0x1c, 0, 0, 0, 0, 0, 0}), // 7.0
      bytes({0xca, 0x40, 0xe0, 0x00, 0x00}),       // 7.0f
      bytes({0xc0}),
      bytes({0xc2}),
      bytes({0xc3}),
      bytes({0xc4, 0x01, 0x07}), // bin
      bytes({0xd4, 0x00, 0x07}), // ext
      bytes({0x90}),
      bytes({0x91, 0x07}),
      bytes({0x80}),
      bytes({0xc1}),
  };
  out[field_type::str] = {
      bytes({0x07}),
      bytes({0xff}),
      bytes({0xc0}),
      bytes({0xc3}),
      bytes({0xc4, 0x02, 'h', 'i'}), // bin is not str
      bytes({0xd5, 0x00, 'h', 'i'}), // ext
      bytes({0x90}),
      bytes({0x92, 0xa1, 'h', 0xa1, 'i'}),
      bytes({0x80}),
      bytes({0xcb, 0, 0, 0, 0, 0, 0, 0, 0}),
      bytes({0xc1}),
  };
  out[field_type::boolean] = {
      bytes({0x00}),
      bytes({0x01}),
      bytes({0xc0}),
      bytes({0x90}),
      pack(std::string{"true"}),
      bytes({0xc4, 0x01, 0x01}),
      bytes({0xc1}),
  };
  out[field_type::map] = {
      bytes({0xc0}),
      bytes({0x90}),
      bytes({0x92, 0xa1, 'a', 0x01}),
      bytes({0x07}),
      bytes({0xa1, 'a'}),
      bytes({0xc4, 0x00}),
      bytes({0x81, 0x01, 0x02}),                  // {1: 2}
      bytes({0x82, 0xa1, 'a', 0x01, 0x02, 0x03}), // {"a": 1, 2: 3}
      bytes({0x81, 0xc4, 0x01, 'a', 0x01}),       // {bin "a": 1}
      bytes({0x81, 0xc0, 0x01}),                  // {nil: 1}
      bytes({0x81, 0x90, 0x01}),                  // {[]: 1}
      bytes({0x81, 0x80, 0x01}),                  // {{}: 1}
      bytes({0x81, 0xc3, 0x01}),                  // {true: 1}
      bytes({0x81, 0xa1, 'a', 0xc1}),             // invalid value
      bytes({0xc1}),
  };
  out[field_type::array] = {
      bytes({0xc0}),
      bytes({0x80}),
      bytes({0x81, 0xa1, 'a', 0x90}),
      bytes({0x07}),
      bytes({0xff}),
      bytes({0xa1, 'a'}),
      bytes({0xc4, 0x01, 0x90}),
      bytes({0xc3}),
      bytes({0xcb, 0, 0, 0, 0, 0, 0, 0, 0}),
      bytes({0xd4, 0x01, 0x90}),
      bytes({0x92, 0x0b, 0xc1}), // an array holding an invalid byte
      bytes({0xc1}),
  };
  // Any type is fine for `any`: only malformed MessagePack is wrong.
  out[field_type::any] = {
      bytes({0xc1}),
      bytes({0x92, 0x01, 0xc1}),
      bytes({0x81, 0xc1, 0x01}),
      bytes({0x81, 0x01, 0xc1}),
      bytes({0x91, 0x91, 0x91, 0xc1}),
  };
  return out;
}

} // namespace

TEST_CASE("empty input is rejected", "[codec][malformed]") {
  CHECK_REJECTS(std::string{});
  decoded_batch result;
  CHECK_NOTHROW(result = decode_batch(nullptr, 0));
  CHECK(std::holds_alternative<decode_error>(result));
  std::variant<frame, decode_error> one;
  CHECK_NOTHROW(one = decode_frame(nullptr, 0));
  CHECK(std::holds_alternative<decode_error>(one));
}

TEST_CASE("every truncation of a frame is rejected", "[codec][malformed]") {
  auto samples = sample_frames();
  // Long and deep values too, so that truncation hits every reader path.
  samples.emplace_back(reply{std::numeric_limits<uint64_t>::max(), value{}});
  samples.emplace_back(
      request{1, std::string(300, 'o'),
              value::from_encoded(nested_arrays(reader::max_depth))});
  samples.emplace_back(
      signal{"s", value::from_encoded(pack(std::vector<char>(70000, 'b')))});
  for (const auto& f : samples) {
    auto in = encode(f);
    INFO("frame: " << describe(f));
    for (size_t n = 0; n < in.size(); ++n) {
      INFO("first " << n << " of " << in.size() << " bytes");
      CHECK_REJECTS(in.substr(0, n));
      std::variant<frame, decode_error> one;
      CHECK_NOTHROW(one = decode_one(in.substr(0, n)));
      CHECK(std::holds_alternative<decode_error>(one));
    }
  }
}

TEST_CASE("a batch truncated at every byte offset is rejected except on "
          "frame boundaries",
          "[codec][malformed]") {
  auto samples = sample_frames();
  std::string batch;
  std::vector<size_t> ends;
  for (const auto& f : samples) {
    encode(f, batch);
    ends.push_back(batch.size());
  }
  size_t next = 0;
  for (size_t n = 1; n < batch.size(); ++n) {
    INFO("first " << n << " of " << batch.size() << " bytes");
    if (n == ends[next]) {
      ++next;
      decoded_batch result;
      CHECK_NOTHROW(result = decode(batch.substr(0, n)));
      REQUIRE(std::holds_alternative<std::vector<frame>>(result));
      CHECK(std::get<std::vector<frame>>(result).size() == next);
    } else {
      CHECK_REJECTS(batch.substr(0, n));
    }
  }
  CHECK(next == samples.size() - 1);
}

TEST_CASE("a message that is not an array is rejected", "[codec][malformed]") {
  auto valid = encode(frame{ack{1}});
  for (const auto& in : {
           bytes({0x0a}),
           bytes({0xcc, 0x0a}),
           bytes({0xff}),
           bytes({0xc0}),
           bytes({0xc2}),
           bytes({0xc3}),
           bytes({0xa2, 'h', 'i'}),
           bytes({0xd9, 0x02, 'h', 'i'}),
           bytes({0xc4, 0x02, 0x94, 0x0a}), // bin holding array bytes
           bytes({0x80}),
           bytes({0x81, 0xa4, 'k', 'i', 'n', 'd', 0x0a}),
           bytes({0xde, 0x00, 0x00}),
           bytes({0xcb, 0x40, 0x24, 0, 0, 0, 0, 0, 0}),
           bytes({0xd4, 0x0a, 0x00}),
           bytes({0xc1}),
       }) {
    CHECK_REJECTS(in);
    // Also when a valid frame comes before or after it.
    CHECK_REJECTS(in + valid);
    CHECK_REJECTS(valid + in);
  }
}

TEST_CASE("an empty array is rejected", "[codec][malformed]") {
  auto valid = encode(frame{ack{1}});
  for (const auto& in : {bytes({0x90}), bytes({0xdc, 0x00, 0x00}),
                         bytes({0xdd, 0x00, 0x00, 0x00, 0x00})}) {
    CHECK_REJECTS(in);
    CHECK_REJECTS(in + valid);
    CHECK_REJECTS(valid + in);
  }
}

TEST_CASE("an unknown kind is rejected", "[codec][malformed]") {
  SECTION("numbers the contract does not assign") {
    for (uint64_t k :
         {uint64_t{0}, uint64_t{5}, uint64_t{6}, uint64_t{9}, uint64_t{19},
          uint64_t{28}, uint64_t{29}, uint64_t{31}, uint64_t{100},
          uint64_t{127}, uint64_t{128}, uint64_t{255}, uint64_t{256},
          uint64_t{65535}, std::numeric_limits<uint64_t>::max()}) {
      INFO("kind " << k);
      CHECK_REJECTS(build_frame(k, request_fields()));
      // With as many fields as the longest frame has, too.
      CHECK_REJECTS(build_frame(k, encoded_fields(session{})));
    }
  }
  SECTION("a known kind plus a multiple of 256 is not that kind") {
    // A decoder that narrows the kind to 8, 16 or 32 bits would accept these.
    for (const auto& f : sample_frames()) {
      auto k = static_cast<uint64_t>(kind_of(f));
      INFO("frame: " << describe(f));
      for (uint64_t high : {uint64_t{1} << 8, uint64_t{1} << 16,
                            uint64_t{1} << 32, uint64_t{1} << 63}) {
        INFO("kind " << (k + high));
        CHECK_REJECTS(build_frame(k + high, encoded_fields(f)));
      }
    }
  }
  SECTION("a kind that is not an unsigned integer") {
    for (const auto& k :
         {pack(std::string{"10"}), bytes({0xff}), bytes({0xd0, 0xf6}),
          bytes({0xc0}), bytes({0xc3}),
          bytes({0xcb, 0x40, 0x24, 0, 0, 0, 0, 0, 0}), bytes({0x91, 0x0a}),
          bytes({0x81, 0xa1, 'k', 0x0a}), bytes({0xc4, 0x01, 0x0a}),
          bytes({0xd4, 0x00, 0x0a})}) {
      CHECK_REJECTS(build_frame(k, request_fields()));
    }
  }
}

TEST_CASE("missing fields are rejected for every kind", "[codec][malformed]") {
  for (const auto& f : sample_frames()) {
    auto fields = encoded_fields(f);
    INFO("frame: " << describe(f));
    REQUIRE_FALSE(fields.empty());
    // The complete frame decodes: only the missing fields make it invalid.
    CHECK(same_frame(decode_single(build_frame(kind_of(f), fields)), f));
    for (size_t n = 0; n < fields.size() - optional_count(f); ++n) {
      INFO("only the first " << n << " of " << fields.size() << " fields");
      std::vector<std::string> some(fields.begin(), fields.begin() + n);
      CHECK_REJECTS(build_frame(kind_of(f), some));
      // Followed by another frame, which must not be taken as the rest.
      CHECK_REJECTS(build_frame(kind_of(f), some) + encode(frame{ack{1}}));
    }
  }
}

TEST_CASE("a frame without the fields a later revision added decodes with "
          "their defaults",
          "[codec][malformed]") {
  // STREAM_PART of revision 1: [17, id, payload, last], no index.
  auto decoded = decode_single(
      build_frame(kind::stream_part, {pack(7), pack(1), pack(true)}));
  REQUIRE(std::holds_alternative<stream_part>(decoded));
  auto& x = std::get<stream_part>(decoded);
  CHECK(x.id == 7);
  CHECK(x.last);
  CHECK(x.index == 0);
}

TEST_CASE("a header claiming more fields than the bytes hold is rejected",
          "[codec][malformed]") {
  for (const auto& f : sample_frames()) {
    INFO("frame: " << describe(f));
    auto fields = encoded_fields(f);
    auto in = array_header(static_cast<uint32_t>(fields.size() + 2)) +
              encode(f).substr(1);
    CHECK_REJECTS(in);
  }
}

TEST_CASE("fields of the wrong type are rejected for every kind and field",
          "[codec][malformed]") {
  auto wrong = wrong_values();
  size_t checked = 0;
  for (const auto& f : sample_frames()) {
    auto fields = encoded_fields(f);
    auto types = field_types(f);
    REQUIRE(fields.size() == types.size());
    for (size_t i = 0; i < fields.size(); ++i) {
      INFO("frame: " << describe(f));
      INFO("field " << i << " (" << to_string(types[i]) << ")");
      for (const auto& bad : wrong[types[i]]) {
        auto changed = fields;
        changed[i] = bad;
        CHECK_REJECTS(build_frame(kind_of(f), changed));
        ++checked;
      }
    }
  }
  // Every frame has at least one field and every type at least one wrong
  // value, so this cannot pass vacuously.
  CHECK(checked > 300);
}

TEST_CASE("a map with non-string keys is rejected where a map is required",
          "[codec][malformed]") {
  SECTION("HELLO auth, by hand") {
    // [1, 1, "js", {}] is fine; [1, 1, "js", {1: 2}] is not.
    decode_single(bytes({0x94, 0x01, 0x01, 0xa2, 'j', 's', 0x80}));
    CHECK_REJECTS(bytes({0x94, 0x01, 0x01, 0xa2, 'j', 's', 0x81, 0x01, 0x02}));
    CHECK_REJECTS(
        bytes({0x94, 0x01, 0x01, 0xa2, 'j', 's', 0x81, 0xc4, 0x01, 't', 0x02}));
    // The bad key second, after a good one.
    CHECK_REJECTS(bytes(
        {0x94, 0x01, 0x01, 0xa2, 'j', 's', 0x82, 0xa1, 't', 0x01, 0xff, 0x02}));
    // map16 and map32 headers.
    CHECK_REJECTS(bytes(
        {0x94, 0x01, 0x01, 0xa2, 'j', 's', 0xde, 0x00, 0x01, 0x01, 0x02}));
    CHECK_REJECTS(bytes({0x94, 0x01, 0x01, 0xa2, 'j', 's', 0xdf, 0x00, 0x00,
                         0x00, 0x01, 0x01, 0x02}));
  }
  SECTION("every map field of every frame") {
    auto bad = bytes({0x82, 0xa1, 'a', 0x01, 0x02, 0x03});
    size_t maps = 0;
    for (const auto& f : sample_frames()) {
      auto fields = encoded_fields(f);
      auto types = field_types(f);
      for (size_t i = 0; i < fields.size(); ++i) {
        if (types[i] != field_type::map)
          continue;
        INFO("frame: " << describe(f) << ", field " << i);
        auto changed = fields;
        changed[i] = bad;
        CHECK_REJECTS(build_frame(kind_of(f), changed));
        ++maps;
      }
    }
    CHECK(maps == 4); // HELLO auth, WELCOME limits, SESSION_OPEN/SESSION info
  }
}

TEST_CASE("trailing bytes that do not form a whole frame are rejected",
          "[codec][malformed]") {
  auto valid = encode(frame{request{7, "sys.echo", value::of(1)}});
  SECTION("single bytes and whole values that are not frames") {
    for (const auto& tail :
         {bytes({0x93}), bytes({0x94, 0x0a}), bytes({0xdc}),
          bytes({0xdc, 0x00}), bytes({0xdd, 0x00, 0x00, 0x00}), bytes({0x01}),
          bytes({0x00}), bytes({0xc0}), bytes({0xc1}), bytes({0x80}),
          bytes({0x90}), bytes({0xa2, 'h', 'i'}), bytes({0xff})}) {
      CHECK_REJECTS(valid + tail);
      CHECK_REJECTS(valid + valid + tail);
    }
  }
  SECTION("every proper prefix of a second frame") {
    for (const auto& f : sample_frames()) {
      auto second = encode(f);
      INFO("second frame: " << describe(f));
      for (size_t n = 1; n < second.size(); ++n)
        CHECK_REJECTS(valid + second.substr(0, n));
    }
  }
  SECTION("a valid frame followed by an invalid one rejects the whole batch") {
    CHECK_REJECTS(valid + build_frame(kind::request, {pack(1)}));
    CHECK_REJECTS(valid + build_frame(uint64_t{99}, request_fields()));
    CHECK_REJECTS(valid + valid + bytes({0x92, 0x1a, 0xff}));
  }
}

TEST_CASE("deep nesting is rejected", "[codec][malformed]") {
  const size_t limit = reader::max_depth;
  SECTION("at the limit it is accepted, one more is rejected") {
    decode_single(build_frame(kind::reply, {pack(1), nested_arrays(limit)}));
    decode_single(build_frame(kind::reply, {pack(1), nested_maps(limit)}));
    CHECK_REJECTS(
        build_frame(kind::reply, {pack(1), nested_arrays(limit + 1)}));
    CHECK_REJECTS(build_frame(kind::reply, {pack(1), nested_maps(limit + 1)}));
  }
  SECTION("10,000 nested arrays or maps as payload, in every payload field") {
    for (const auto& deep : {nested_arrays(10000), nested_maps(10000)}) {
      for (const auto& f : sample_frames()) {
        auto fields = encoded_fields(f);
        auto types = field_types(f);
        for (size_t i = 0; i < fields.size(); ++i) {
          if (types[i] != field_type::any)
            continue;
          INFO("frame: " << describe(f) << ", field " << i);
          auto changed = fields;
          changed[i] = deep;
          CHECK_REJECTS(build_frame(kind_of(f), changed));
        }
      }
    }
  }
  SECTION("10,000 nested arrays without their innermost value") {
    CHECK_REJECTS(
        build_frame(kind::reply, {pack(1), std::string(10000, '\x91')}));
  }
  SECTION("a million nested arrays") {
    CHECK_REJECTS(build_frame(kind::reply, {pack(1), nested_arrays(1000000)}));
  }
  SECTION("deep values inside a map field") {
    auto auth = bytes({0x81, 0xa1, 'a'}) + nested_arrays(10000);
    CHECK_REJECTS(
        build_frame(kind::hello, {pack(1), pack(std::string{"a"}), auth}));
    auto shallow = bytes({0x81, 0xa1, 'a'}) + nested_arrays(limit - 1);
    decode_single(
        build_frame(kind::hello, {pack(1), pack(std::string{"a"}), shallow}));
  }
  SECTION("deep values as an extra trailing field") {
    auto fields = request_fields();
    fields.push_back(nested_arrays(10000));
    CHECK_REJECTS(build_frame(kind::request, fields));
  }
  SECTION("a deep nested frame in SEQ") {
    auto inner = bytes({0x92, 0x0b}) + nested_arrays(10000);
    CHECK_REJECTS(build_frame(kind::seq, {pack(1), inner}));
  }
}

TEST_CASE("length headers claiming far more than the bytes hold are rejected",
          "[codec][malformed]") {
  const auto u32_max = bytes({0xff, 0xff, 0xff, 0xff});
  SECTION("an array32 frame header claiming 4 billion elements") {
    CHECK_REJECTS(bytes({0xdd}) + u32_max);
    CHECK_REJECTS(bytes({0xdd}) + u32_max + bytes({0x0a}));
    auto body = encode(frame{request{7, "op", value{}}}).substr(1);
    CHECK_REJECTS(bytes({0xdd}) + u32_max + body);
    CHECK_REJECTS(bytes({0xdc, 0xff, 0xff}) + body);
  }
  SECTION("4 billion elements inside a payload, a map, a nested frame") {
    for (const auto& big :
         {bytes({0xdd}) + u32_max + bytes({0x01, 0x02}),
          bytes({0xdf}) + u32_max + bytes({0xa1, 'a', 0x01}),
          bytes({0x91, 0xdd}) + u32_max + bytes({0x91, 0xdd}) + u32_max}) {
      CHECK_REJECTS(build_frame(kind::reply, {pack(1), big}));
      CHECK_REJECTS(build_frame(kind::session_open,
                                {pack(1), bytes({0x81, 0xa1, 'k'}) + big}));
      CHECK_REJECTS(build_frame(kind::ack, {pack(1), big})); // extra field
    }
    CHECK_REJECTS(
        build_frame(kind::session_open, {pack(1), bytes({0xdf}) + u32_max}));
    CHECK_REJECTS(build_frame(
        kind::seq, {pack(1), bytes({0xdd}) + u32_max + bytes({0x0b, 0x01})}));
  }
  SECTION("str32, bin32 and ext32 claiming 4 GB") {
    CHECK_REJECTS(
        build_frame(kind::request,
                    {pack(1), bytes({0xdb}) + u32_max + "op", bytes({0xc0})}));
    CHECK_REJECTS(build_frame(kind::session_closed,
                              {bytes({0xdb}) + u32_max + "reason"}));
    CHECK_REJECTS(
        build_frame(kind::reply, {pack(1), bytes({0xc6}) + u32_max + "ab"}));
    CHECK_REJECTS(build_frame(
        kind::reply, {pack(1), bytes({0xc9}) + u32_max + bytes({0x01, 0x00})}));
    CHECK_REJECTS(build_frame(kind::reply, {pack(1), bytes({0xdb}) + u32_max}));
  }
}

TEST_CASE("the invalid byte 0xc1 is rejected wherever it appears",
          "[codec][malformed]") {
  const auto c1 = bytes({0xc1});
  CHECK_REJECTS(c1);
  CHECK_REJECTS(c1 + encode(frame{ack{1}}));
  CHECK_REJECTS(encode(frame{ack{1}}) + c1);
  CHECK_REJECTS(build_frame(c1, request_fields()));       // kind
  CHECK_REJECTS(build_frame(kind::ack, {c1}));            // uint
  CHECK_REJECTS(build_frame(kind::session_closed, {c1})); // str
  CHECK_REJECTS(build_frame(kind::reply, {pack(1), c1})); // any
  CHECK_REJECTS(build_frame(
      kind::reply, {pack(1), bytes({0x93, 0x01, 0x02}) + c1})); // in array
  CHECK_REJECTS(build_frame(
      kind::reply, {pack(1), bytes({0x81, 0xa1, 'k'}) + c1})); // map value
  CHECK_REJECTS(build_frame(
      kind::reply, {pack(1), bytes({0x81}) + c1 + bytes({0x01})})); // key
  CHECK_REJECTS(build_frame(kind::stream_part, {pack(1), bytes({0xc0}), c1}));
  CHECK_REJECTS(build_frame(kind::session_open, {pack(1), c1})); // map
  CHECK_REJECTS(build_frame(kind::ack, {pack(1), c1}));          // extra
  CHECK_REJECTS(build_frame(kind::seq, {pack(1), c1}));          // frame
  CHECK_REJECTS(
      build_frame(kind::seq, {pack(1), bytes({0x92, 0x0b}) + c1})); // inside it
  CHECK_REJECTS(bytes({0x91}) + c1); // where the kind would be
}

TEST_CASE("SEQ whose nested frame is not an array is rejected",
          "[codec][malformed]") {
  // The same SEQ with an array as its frame decodes.
  decode_single(build_frame(kind::seq, {pack(1), encode(frame{ack{1}})}));
  for (const auto& inner :
       {bytes({0x80}), bytes({0x81, 0xa1, 'k', 0x01}), bytes({0x05}),
        bytes({0xff}), bytes({0xa1, 'x'}), bytes({0xc0}), bytes({0xc3}),
        bytes({0xc4, 0x02, 0x91, 0x1a}), // bin holding frame bytes
        pack(encode(frame{ack{1}})),     // str holding frame bytes
        bytes({0xd4, 0x00, 0x90}), bytes({0xcb, 0, 0, 0, 0, 0, 0, 0, 0})}) {
    CHECK_REJECTS(build_frame(kind::seq, {pack(1), inner}));
    CHECK_REJECTS(build_frame(kind::seq, {pack(1), inner}) +
                  encode(frame{ack{1}}));
  }
  SECTION("nor when the nested array is itself malformed") {
    CHECK_REJECTS(build_frame(kind::seq, {pack(1), bytes({0x92, 0x1a})}));
    CHECK_REJECTS(build_frame(kind::seq, {pack(1), bytes({0xdc, 0x00})}));
  }
}
