// The messages that will cross nodes survive CAF's binary serialization:
// frames travel as their encoding, and a batch that does not decode is
// refused on arrival.

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/binary_deserializer.hpp>
#include <caf/binary_serializer.hpp>
#include <catch2/catch.hpp>

#include "tether/actors/interfaces.hpp"
#include "tether/codec/encode.hpp"

using namespace tether;
using codec::value;

namespace {

struct fixture {
  caf::actor_system_config cfg;
  caf::actor_system sys{cfg};

  template <class T> std::vector<char> write(T x) {
    std::vector<char> buf;
    caf::binary_serializer sink{sys, buf};
    REQUIRE(!sink(x));
    return buf;
  }

  template <class T> caf::error read(const std::vector<char>& buf, T& out) {
    caf::binary_deserializer source{sys, buf};
    return source(out);
  }
};

} // namespace

TEST_CASE_METHOD(fixture, "a client's frames travel as their encoding") {
  client_frames x;
  x.frames.push_back(codec::request{7, "sys.echo", value::of(42)});
  x.frames.push_back(codec::ack{3});
  client_frames y;
  REQUIRE(!read(write(x), y));
  REQUIRE(y.frames.size() == 2);
  CHECK(codec::encode(y.frames[0]) == codec::encode(x.frames[0]));
  CHECK(codec::encode(y.frames[1]) == codec::encode(x.frames[1]));
  client_frames none;
  REQUIRE(!read(write(client_frames{}), none));
  CHECK(none.frames.empty());
}

TEST_CASE_METHOD(fixture, "frames that do not decode are refused on arrival") {
  // An encoded_frame begins as client_frames is written: a string.
  encoded_frame garbage{transport::make_shared_bytes("\xc1\xc1\xc1")};
  client_frames y;
  CHECK(read(write(garbage), y));
  CHECK(y.frames.empty());
}

TEST_CASE_METHOD(fixture, "an encoded frame keeps its bytes") {
  auto bytes = codec::encode(codec::signal{"tick", value::of(1)});
  encoded_frame y;
  REQUIRE(!read(write(encoded_frame{transport::make_shared_bytes(bytes)}), y));
  REQUIRE(y.bytes);
  CHECK(*y.bytes == bytes);
}

TEST_CASE_METHOD(fixture, "an encoded frame keeps its delivery class and key") {
  auto bytes = codec::encode(codec::signal{"tick", value::of(1)});
  encoded_frame y;
  REQUIRE(!read(write(encoded_frame{
                    transport::make_shared_bytes(bytes), delivery_class::latest,
                    transport::make_shared_bytes(std::string("r.a\0pos", 7))}),
                y));
  CHECK(*y.bytes == bytes);
  CHECK(y.delivery == delivery_class::latest);
  REQUIRE(y.latest_key);
  CHECK(*y.latest_key == std::string("r.a\0pos", 7));
  encoded_frame z;
  REQUIRE(!read(write(encoded_frame{transport::make_shared_bytes(bytes),
                                    delivery_class::drop}),
                z));
  CHECK(z.delivery == delivery_class::drop);
  CHECK_FALSE(z.latest_key);
}

TEST_CASE_METHOD(fixture, "a request's context names its actors") {
  request_context x;
  x.conn = "n-1";
  x.id = 9;
  x.op = "room.join";
  x.session_id = "n.abc";
  x.session_info = value::of(std::string{"info"});
  request_context y;
  REQUIRE(!read(write(x), y));
  CHECK(y.conn == "n-1");
  CHECK(y.id == 9);
  CHECK(y.op == "room.join");
  CHECK(y.session_id == "n.abc");
  CHECK(y.session_info == x.session_info);
  CHECK_FALSE(y.origin);
  CHECK_FALSE(y.session);
}
