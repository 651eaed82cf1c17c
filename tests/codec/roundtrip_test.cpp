// Encoding and decoding of well-formed frames: every kind round trips, the
// bytes are the contract's MessagePack arrays, batches hold several frames,
// and extra trailing fields are ignored.

#include <catch2/catch.hpp>

#include <cstdint>
#include <limits>
#include <set>
#include <string>
#include <variant>
#include <vector>

#include <msgpack.hpp>

#include "test_support.hpp"
#include "tether/codec/decode.hpp"
#include "tether/codec/encode.hpp"
#include "tether/codec/frames.hpp"
#include "tether/codec/reader.hpp"
#include "tether/codec/value.hpp"

using namespace tether::codec;
using namespace tether::codec::test;

namespace {

constexpr uint64_t u64_max = std::numeric_limits<uint64_t>::max();

/// Encodes, decodes, and checks the frame came back equal, both through
/// decode_batch and decode_frame; returns the encoding.
std::string check_round_trip(const frame& original) {
  INFO("frame: " << describe(original));
  std::string encoded;
  REQUIRE_NOTHROW(encoded = encode(original));
  auto decoded = decode_single(encoded);
  CHECK(kind_of(decoded) == kind_of(original));
  CHECK(same_frame(decoded, original));
  auto one = decode_one(encoded);
  REQUIRE(std::holds_alternative<frame>(one));
  CHECK(same_frame(std::get<frame>(one), original));
  // Decoding loses nothing: encoding the result gives the same bytes.
  CHECK(as_hex{encode(decoded)} == as_hex{encoded});
  return encoded;
}

} // namespace

TEST_CASE("the samples hold one frame of every kind", "[codec][roundtrip]") {
  auto frames = sample_frames();
  REQUIRE(frames.size() == std::variant_size_v<frame>);
  std::set<size_t> indices;
  std::set<kind> kinds;
  for (const auto& f : frames) {
    indices.insert(f.index());
    kinds.insert(kind_of(f));
  }
  CHECK(indices.size() == std::variant_size_v<frame>);
  CHECK(kinds.size() == std::variant_size_v<frame>);
}

TEST_CASE("kind_of and to_string name every kind of the contract",
          "[codec][roundtrip]") {
  struct entry {
    frame sample;
    kind k;
    uint8_t number;
    const char* name;
  };
  std::vector<entry> table{
      {hello{}, kind::hello, 1, "HELLO"},
      {welcome{}, kind::welcome, 2, "WELCOME"},
      {heartbeat{}, kind::heartbeat, 3, "HEARTBEAT"},
      {close{}, kind::close, 4, "CLOSE"},
      {request{}, kind::request, 10, "REQUEST"},
      {reply{}, kind::reply, 11, "REPLY"},
      {error{}, kind::error, 12, "ERROR"},
      {retry{}, kind::retry, 13, "RETRY"},
      {cancel{}, kind::cancel, 14, "CANCEL"},
      {signal{}, kind::signal, 15, "SIGNAL"},
      {stream{}, kind::stream, 16, "STREAM"},
      {stream_part{}, kind::stream_part, 17, "STREAM_PART"},
      {result_part{}, kind::result_part, 18, "RESULT_PART"},
      {session_open{}, kind::session_open, 20, "SESSION_OPEN"},
      {session_attach{}, kind::session_attach, 21, "SESSION_ATTACH"},
      {session_resume{}, kind::session_resume, 22, "SESSION_RESUME"},
      {session{}, kind::session, 23, "SESSION"},
      {session_close{}, kind::session_close, 24, "SESSION_CLOSE"},
      {session_closed{}, kind::session_closed, 25, "SESSION_CLOSED"},
      {ack{}, kind::ack, 26, "ACK"},
      // A default SEQ holds no nested frame: not encodable as it is.
      {seq{0, nested_frame{encode(frame{ack{}})}}, kind::seq, 27, "SEQ"},
      {room_message{}, kind::room_message, 30, "ROOM_MESSAGE"},
  };
  REQUIRE(table.size() == std::variant_size_v<frame>);
  for (const auto& e : table) {
    INFO(e.name);
    CHECK(kind_of(e.sample) == e.k);
    CHECK(static_cast<uint8_t>(e.k) == e.number);
    CHECK(std::string{to_string(e.k)} == e.name);
    // The kind number is the frame's first element on the wire.
    auto encoded = encode(e.sample);
    auto handle = msgpack::unpack(encoded.data(), encoded.size());
    REQUIRE(handle.get().type == msgpack::type::ARRAY);
    REQUIRE(handle.get().via.array.size >= 1);
    CHECK(handle.get().via.array.ptr[0].as<uint64_t>() == e.number);
  }
  CHECK(std::string{to_string(static_cast<kind>(99))} == "UNKNOWN");
  CHECK(std::string{to_string(static_cast<kind>(0))} == "UNKNOWN");
}

TEST_CASE("every frame kind encodes and decodes back equal",
          "[codec][roundtrip]") {
  for (const auto& f : sample_frames()) {
    DYNAMIC_SECTION(to_string(kind_of(f))) {
      check_round_trip(f);
    }
  }
}

TEST_CASE("default-constructed frames round trip", "[codec][roundtrip]") {
  std::vector<frame> frames{
      hello{},        welcome{},       heartbeat{},      close{},
      request{},      reply{},         error{},          retry{},
      cancel{},       signal{},        stream{},         stream_part{},
      result_part{},  session_open{},  session_attach{}, session_resume{},
      session{},      session_close{}, session_closed{}, ack{},
      room_message{},
      // SEQ is left out: a default SEQ holds no nested frame.
  };
  for (const auto& f : frames)
    check_round_trip(f);
}

TEST_CASE("encoding matches the msgpack-c encoding of kind and fields",
          "[codec][roundtrip][encode]") {
  for (const auto& f : sample_frames()) {
    INFO("frame: " << describe(f));
    auto encoded = encode(f);
    auto fields = encoded_fields(f);
    CHECK(as_hex{encoded} == as_hex{build_frame(kind_of(f), fields)});
    // And msgpack-c reads it back as one array of 1 + fields elements.
    size_t off = 0;
    auto handle = msgpack::unpack(encoded.data(), encoded.size(), off);
    CHECK(off == encoded.size());
    REQUIRE(handle.get().type == msgpack::type::ARRAY);
    CHECK(handle.get().via.array.size == fields.size() + 1);
  }
}

TEST_CASE("encode and encode_one agree and append", "[codec][encode]") {
  std::string appended = "prefix";
  std::string one_by_one = "prefix";
  for (const auto& f : sample_frames()) {
    encode(f, appended);
    std::visit([&](const auto& x) { encode_one(x, one_by_one); }, f);
  }
  CHECK(as_hex{appended} == as_hex{one_by_one});
  CHECK(appended.compare(0, 6, "prefix") == 0);
  CHECK(as_hex{appended.substr(6)} == as_hex{sample_batch()});
}

TEST_CASE("exact bytes of frames against hand-written MessagePack",
          "[codec][encode]") {
  SECTION("REQUEST [10, 7, \"sys.echo\", \"hi\"]") {
    auto expected = bytes({0x94, 0x0a, 0x07, 0xa8, 's', 'y', 's', '.', 'e', 'c',
                           'h', 'o', 0xa2, 'h', 'i'});
    frame f = request{7, "sys.echo", value::of(std::string{"hi"})};
    CHECK(hex(encode(f)) == hex(expected));
    CHECK(hex(expected) == "94 0a 07 a8 73 79 73 2e 65 63 68 6f a2 68 69");
    auto decoded = decode_single(expected);
    REQUIRE(std::holds_alternative<request>(decoded));
    const auto& r = std::get<request>(decoded);
    CHECK(r.id == 7);
    CHECK(r.op == "sys.echo");
    CHECK(hex(r.payload.encoded()) == "a2 68 69");
    std::string s;
    CHECK(r.payload.convert_to(s));
    CHECK(s == "hi");
  }
  SECTION("HELLO [1, 1, \"js\", {}]") {
    frame f = hello{1, "js", map_value{}};
    CHECK(hex(encode(f)) == "94 01 01 a2 6a 73 80");
  }
  SECTION("HEARTBEAT [3, 0, 1700000000]") {
    frame f = heartbeat{0, 1700000000};
    CHECK(hex(encode(f)) == "93 03 00 ce 65 53 f1 00");
  }
  SECTION("HEARTBEAT [3, 65535, 0]") {
    frame f = heartbeat{65535, 0};
    CHECK(hex(encode(f)) == "93 03 cd ff ff 00");
  }
  SECTION("CLOSE [4, 2, \"bad\", \"\"]") {
    frame f = close{2, "bad", ""};
    CHECK(hex(encode(f)) == "94 04 02 a3 62 61 64 a0");
  }
  SECTION("CANCEL [14, 300]") {
    frame f = cancel{300};
    CHECK(hex(encode(f)) == "92 0e cd 01 2c");
  }
  SECTION("STREAM_PART [17, 128, nil, true, 3]") {
    frame f = stream_part{128, value{}, true, 3};
    CHECK(hex(encode(f)) == "95 11 cc 80 c0 c3 03");
  }
  SECTION("RESULT_PART [18, 1, 5, false]") {
    frame f = result_part{1, value::of(5), false};
    CHECK(hex(encode(f)) == "94 12 01 05 c2");
  }
  SECTION("ACK [26, 2^64 - 1]") {
    frame f = ack{u64_max};
    CHECK(hex(encode(f)) == "92 1a cf ff ff ff ff ff ff ff ff");
  }
  SECTION("SESSION_RESUME [22, 1, \"t\", 2^32]") {
    frame f = session_resume{1, "t", 4294967296u};
    CHECK(hex(encode(f)) == "94 16 01 a1 74 cf 00 00 00 01 00 00 00 00");
  }
  SECTION("SEQ [27, 5, [11, 7, {}]]") {
    frame f = seq{5, nested_frame{encode(frame{reply{7, value::empty_map()}})}};
    CHECK(hex(encode(f)) == "93 1b 05 93 0b 07 80");
  }
  SECTION("SESSION_CLOSED with a 32-byte reason uses str8") {
    frame f = session_closed{std::string(32, 'x')};
    auto expected = bytes({0x92, 0x19, 0xd9, 0x20}) + std::string(32, 'x');
    CHECK(hex(encode(f)) == hex(expected));
  }
  SECTION("SIGNAL [15, \"n\", {\"a\": [1, -1]}]") {
    frame f =
        signal{"n", value::map({{"a", value::of(std::vector<int>{1, -1})}})};
    CHECK(hex(encode(f)) == "93 0f a1 6e 81 a1 61 92 01 ff");
  }
  SECTION("SESSION with every field") {
    frame f = session{3, "s", "k", "t", 9, true, map_value{}};
    CHECK(hex(encode(f)) == "98 17 03 a1 73 a1 6b a1 74 09 c3 80");
  }
}

TEST_CASE("edge values of every field type round trip", "[codec][roundtrip]") {
  SECTION("unsigned integers of every width") {
    for (uint64_t x :
         {uint64_t{0}, uint64_t{1}, uint64_t{127}, uint64_t{128}, uint64_t{255},
          uint64_t{256}, uint64_t{65535}, uint64_t{65536},
          uint64_t{4294967295u}, uint64_t{4294967296u}, u64_max - 1, u64_max}) {
      INFO("x = " << x);
      auto decoded = decode_single(check_round_trip(ack{x}));
      REQUIRE(std::holds_alternative<ack>(decoded));
      CHECK(std::get<ack>(decoded).seq == x);
      auto r = decode_single(check_round_trip(retry{x, x, "r"}));
      REQUIRE(std::holds_alternative<retry>(r));
      CHECK(std::get<retry>(r).id == x);
      CHECK(std::get<retry>(r).wait_ms == x);
    }
  }
  SECTION("strings of every length class, binary-safe") {
    std::string with_nul{"a\0b", 3};
    for (const auto& s :
         {std::string{}, std::string(31, 'a'), std::string(32, 'b'),
          std::string(255, 'c'), std::string(256, 'd'), std::string(65535, 'e'),
          std::string(65536, 'f'), with_nul,
          std::string{"h\xc3\xa9llo \xe2\x9c\x93"}}) {
      INFO("length " << s.size());
      auto decoded = decode_single(check_round_trip(error{1, s, s}));
      REQUIRE(std::holds_alternative<error>(decoded));
      CHECK(std::get<error>(decoded).code == s);
      CHECK(std::get<error>(decoded).message == s);
    }
  }
  SECTION("booleans") {
    for (bool b : {false, true}) {
      auto decoded = decode_single(check_round_trip(stream_part{1, {}, b}));
      REQUIRE(std::holds_alternative<stream_part>(decoded));
      CHECK(std::get<stream_part>(decoded).last == b);
    }
  }
  SECTION("payloads of every MessagePack type") {
    std::vector<std::string> payloads{
        bytes({0xc0}),                            // nil
        bytes({0xc2}),                            // false
        bytes({0x00}),                            // 0
        bytes({0xff}),                            // -1
        bytes({0xd3, 0x80, 0, 0, 0, 0, 0, 0, 0}), // int64 min
        bytes({0xca, 0x3f, 0x80, 0, 0}),          // float32 1.0
        bytes({0xcb, 0x40, 0x09, 0x21, 0xfb, 0x54, 0x44, 0x2d, 0x18}), // pi
        bytes({0xa0}),                                                 // ""
        bytes({0xc4, 0x03, 0x00, 0xff, 0x10}),                         // bin8
        bytes({0xd4, 0x01, 0x7f}),                  // fixext1
        bytes({0xc7, 0x02, 0x05, 0x01, 0x02}),      // ext8
        bytes({0x90}),                              // []
        bytes({0x80}),                              // {}
        bytes({0x82, 0x01, 0xa1, 'x', 0xc0, 0x90}), // {1: "x", nil: []}
        bytes({0x92, 0x91, 0x80, 0x81, 0xa1, 'k', 0x93, 1, 2, 3}),
        nested_arrays(reader::max_depth), // as deep as accepted
        nested_maps(reader::max_depth),
        pack(std::vector<char>(70000, 'z')), // bin32
        pack(std::string(70000, 'z')),       // str32
    };
    for (const auto& p : payloads) {
      INFO("payload: " << short_hex(p));
      auto original = value::from_encoded(p);
      auto decoded = decode_single(check_round_trip(reply{42, original}));
      REQUIRE(std::holds_alternative<reply>(decoded));
      CHECK(as_hex{std::get<reply>(decoded).payload.encoded()} == as_hex{p});
      check_round_trip(request{1, "op", original});
      check_round_trip(signal{"s", original});
      check_round_trip(stream{1, "op", original});
      check_round_trip(stream_part{1, original, false});
      check_round_trip(result_part{1, original, true});
      check_round_trip(room_message{"r", "f", "n", original});
    }
  }
  SECTION("maps with string keys, nested values of any type") {
    auto m = map_value{value::map(
        {{"", value{}},
         {"nested",
          value::map({{"x", value::from_encoded(bytes({0x81, 0x01, 0x02}))}})},
         {"bin", value::from_encoded(bytes({0xc4, 0x01, 0x00}))}})};
    check_round_trip(hello{1, "a", m});
    check_round_trip(welcome{1, "n", "c", 1, m});
    check_round_trip(session_open{1, m});
    check_round_trip(session{1, "s", "k", "t", 0, false, m});
    // A map of 70,000 entries (map32 header).
    std::vector<std::pair<std::string, value>> many;
    for (int i = 0; i < 70000; ++i)
      many.emplace_back("k" + std::to_string(i), value::of(i));
    auto big = map_value{value::map(many)};
    CHECK(static_cast<uint8_t>(big.encoded()[0]) == 0xdf);
    check_round_trip(session_open{1, big});
  }
}

TEST_CASE("decoding accepts every valid MessagePack width",
          "[codec][roundtrip]") {
  // [10, 7, "sys.echo", 5] with each part in a longer form than needed.
  auto op = std::string{"sys.echo"};
  auto check_request = [&](const std::string& in, const std::string& payload) {
    auto decoded = decode_single(in);
    REQUIRE(std::holds_alternative<request>(decoded));
    const auto& r = std::get<request>(decoded);
    CHECK(r.id == 7);
    CHECK(r.op == op);
    // The payload is kept exactly as sent, never re-encoded.
    CHECK(hex(r.payload.encoded()) == hex(payload));
  };
  auto tail = bytes({0xa8}) + op + bytes({0x05});
  SECTION("array16 and array32 frame headers") {
    check_request(bytes({0xdc, 0x00, 0x04, 0x0a, 0x07}) + tail, "\x05");
    check_request(bytes({0xdd, 0x00, 0x00, 0x00, 0x04, 0x0a, 0x07}) + tail,
                  "\x05");
  }
  SECTION("kind as uint8, uint16, uint64, and non-negative signed ints") {
    for (const auto& k :
         {bytes({0xcc, 0x0a}), bytes({0xcd, 0x00, 0x0a}),
          bytes({0xce, 0, 0, 0, 0x0a}),
          bytes({0xcf, 0, 0, 0, 0, 0, 0, 0, 0x0a}), bytes({0xd0, 0x0a}),
          bytes({0xd1, 0x00, 0x0a}), bytes({0xd2, 0, 0, 0, 0x0a}),
          bytes({0xd3, 0, 0, 0, 0, 0, 0, 0, 0x0a})}) {
      INFO("kind: " << hex(k));
      check_request(bytes({0x94}) + k + bytes({0x07}) + tail, "\x05");
    }
  }
  SECTION("id in long forms") {
    for (const auto& id :
         {bytes({0xcc, 0x07}), bytes({0xcf, 0, 0, 0, 0, 0, 0, 0, 0x07}),
          bytes({0xd0, 0x07}), bytes({0xd3, 0, 0, 0, 0, 0, 0, 0, 0x07})}) {
      INFO("id: " << hex(id));
      check_request(bytes({0x94, 0x0a}) + id + tail, "\x05");
    }
  }
  SECTION("signed int64 holding the largest positive value") {
    auto in = bytes(
        {0x92, 0x1a, 0xd3, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff});
    auto decoded = decode_single(in);
    REQUIRE(std::holds_alternative<ack>(decoded));
    CHECK(std::get<ack>(decoded).seq == 0x7fffffffffffffffu);
  }
  SECTION("op as str8, str16, str32") {
    for (const auto& h : {bytes({0xd9, 0x08}), bytes({0xda, 0x00, 0x08}),
                          bytes({0xdb, 0, 0, 0, 0x08})}) {
      INFO("op header: " << hex(h));
      check_request(bytes({0x94, 0x0a, 0x07}) + h + op + bytes({0x05}), "\x05");
    }
  }
  SECTION("payload in a long form is kept byte for byte") {
    auto payload = bytes({0xcf, 0, 0, 0, 0, 0, 0, 0, 0x05});
    check_request(bytes({0x94, 0x0a, 0x07, 0xa8}) + op + payload, payload);
  }
}

TEST_CASE("batches of several frames decode in order", "[codec][roundtrip]") {
  SECTION("one frame of every kind") {
    auto samples = sample_frames();
    auto frames = decode_ok(sample_batch());
    REQUIRE(frames.size() == samples.size());
    for (size_t i = 0; i < samples.size(); ++i) {
      INFO("frame " << i << ": " << describe(samples[i]));
      CHECK(same_frame(frames[i], samples[i]));
    }
  }
  SECTION("the same frame twice") {
    frame f = cancel{3};
    auto frames = decode_ok(encode(f) + encode(f));
    REQUIRE(frames.size() == 2);
    CHECK(same_frame(frames[0], f));
    CHECK(same_frame(frames[1], f));
  }
  SECTION("a thousand frames") {
    std::string batch;
    std::vector<frame> expected;
    for (uint64_t i = 0; i < 1000; ++i) {
      frame f;
      if (i % 3 == 0)
        f = request{i, "op" + std::to_string(i), value::of(i)};
      else if (i % 3 == 1)
        f = ack{i};
      else
        f = reply{i, value::from_encoded(nested_arrays(i % 50))};
      encode(f, batch);
      expected.push_back(f);
    }
    auto frames = decode_ok(batch);
    REQUIRE(frames.size() == expected.size());
    size_t equal = 0;
    for (size_t i = 0; i < frames.size(); ++i)
      equal += same_frame(frames[i], expected[i]) ? 1 : 0;
    CHECK(equal == expected.size());
  }
  SECTION("a prefix ending on a frame boundary is a shorter batch") {
    auto samples = sample_frames();
    std::string batch;
    for (size_t i = 0; i < samples.size(); ++i) {
      encode(samples[i], batch);
      auto frames = decode_ok(batch);
      REQUIRE(frames.size() == i + 1);
      CHECK(same_frame(frames.back(), samples[i]));
    }
  }
}

TEST_CASE("extra trailing fields are ignored", "[codec][roundtrip]") {
  std::vector<std::string> extras{
      bytes({0x01}),
      bytes({0xc0}),
      bytes({0xa3, 'n', 'e', 'w'}),
      bytes({0x81, 0xa1, 'a', 0x92, 0x01, 0x02}),
      bytes({0x82, 0x01, 0x02, 0xc0, 0xc3}), // non-string keys: still any
      bytes({0xc4, 0x02, 0x00, 0x01}),
      bytes({0xd6, 0xff, 0x00, 0x00, 0x00, 0x01}), // timestamp ext
      bytes({0xcb, 0, 0, 0, 0, 0, 0, 0, 0}),
      nested_arrays(reader::max_depth - 1),
  };
  frame follower = ack{77};
  for (const auto& f : sample_frames()) {
    INFO("frame: " << describe(f));
    auto fields = encoded_fields(f);
    SECTION(std::string{"one extra field, "} + to_string(kind_of(f))) {
      for (const auto& extra : extras) {
        INFO("extra: " << short_hex(extra));
        auto with_extra = fields;
        with_extra.push_back(extra);
        auto in = build_frame(kind_of(f), with_extra);
        auto frames = decode_ok(in + encode(follower));
        REQUIRE(frames.size() == 2);
        CHECK(same_frame(frames[0], f));
        CHECK(same_frame(frames[1], follower));
      }
    }
    SECTION(std::string{"all extras at once, "} + to_string(kind_of(f))) {
      auto with_extra = fields;
      with_extra.insert(with_extra.end(), extras.begin(), extras.end());
      auto in = build_frame(kind_of(f), with_extra);
      auto frames = decode_ok(encode(follower) + in + encode(follower));
      REQUIRE(frames.size() == 3);
      CHECK(same_frame(frames[1], f));
      CHECK(same_frame(frames[2], follower));
    }
    SECTION(std::string{"twenty extras (array16), "} + to_string(kind_of(f))) {
      auto with_extra = fields;
      for (int i = 0; i < 20; ++i)
        with_extra.push_back(pack(i));
      auto in = build_frame(kind_of(f), with_extra);
      CHECK(static_cast<uint8_t>(in[0]) == 0xdc);
      CHECK(same_frame(decode_single(in), f));
    }
  }
}

TEST_CASE("SEQ carries its nested frame verbatim", "[codec][roundtrip]") {
  for (const auto& inner : sample_frames()) {
    INFO("inner: " << describe(inner));
    auto inner_bytes = encode(inner);
    frame outer = seq{123456, nested_frame{inner_bytes}};
    auto decoded = decode_single(check_round_trip(outer));
    REQUIRE(std::holds_alternative<seq>(decoded));
    const auto& s = std::get<seq>(decoded);
    CHECK(s.seq == 123456);
    CHECK(as_hex{s.frame.bytes} == as_hex{inner_bytes});
    auto nested = decode_one(s.frame.bytes);
    REQUIRE(std::holds_alternative<frame>(nested));
    CHECK(same_frame(std::get<frame>(nested), inner));
  }
  // A SEQ inside a SEQ.
  frame inner = seq{1, nested_frame{encode(frame{ack{1}})}};
  check_round_trip(seq{2, nested_frame{encode(inner)}});
}

TEST_CASE("decode_frame takes exactly one frame", "[codec][decode]") {
  auto one = encode(frame{cancel{9}});
  auto ok = decode_one(one);
  REQUIRE(std::holds_alternative<frame>(ok));
  CHECK(same_frame(std::get<frame>(ok), cancel{9}));
  for (const auto& bad :
       {std::string{}, one + one, one + bytes({0x01}), one + bytes({0x93}),
        one.substr(0, one.size() - 1), bytes({0x90}), bytes({0xc1})}) {
    INFO("input: " << hex(bad));
    std::variant<frame, decode_error> result;
    CHECK_NOTHROW(result = decode_one(bad));
    CHECK(std::holds_alternative<decode_error>(result));
  }
}

TEST_CASE("encode_seq writes what a SEQ frame encodes to", "[codec][encode]") {
  auto inner = encode(frame{room_message{"lobby", "s1", "chat", value::of(7)}});
  for (uint64_t n : {uint64_t{0}, uint64_t{1}, uint64_t{127}, uint64_t{128},
                     uint64_t{65536}, u64_max}) {
    INFO("seq " << n);
    std::string direct = "prefix";
    encode_seq(n, inner, direct);
    std::string framed = "prefix";
    encode_one(seq{n, nested_frame{inner}}, framed);
    CHECK(direct == framed);
  }
}

TEST_CASE("lookup finds a map's value by its exact key", "[codec][value]") {
  auto m = value::map({{"name", value::of(std::string{"ada"})},
                       {"n", value::of(7)},
                       {"names", value::of(std::vector<int>{1, 2})}});
  CHECK(lookup(m, "name") == value::of(std::string{"ada"}));
  CHECK(lookup(m, "n") == value::of(7));
  CHECK(lookup(m, "names") == value::of(std::vector<int>{1, 2}));
  // Neither a prefix nor an extension of a key matches it.
  CHECK(lookup(m, "nam").is_nil());
  CHECK(lookup(m, "namesx").is_nil());
  CHECK(lookup(m, "").is_nil());
  // A key that is not a string ({1: "x"}) is never found, and a non-map
  // has no keys.
  CHECK(lookup(value::from_encoded(bytes({0x81, 0x01, 0xa1, 'x'})), "\x01")
            .is_nil());
  CHECK(lookup(value::of(42), "name").is_nil());
}
