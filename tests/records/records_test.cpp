// Every record survives CAF's binary serialization unchanged: a migration
// ships them between nodes this way.

#include <map>
#include <string>
#include <vector>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/binary_deserializer.hpp>
#include <caf/binary_serializer.hpp>
#include <catch2/catch.hpp>

#include "tether/records/records.hpp"
#include "tether/tests/records/record_equality.hpp"

namespace {

using namespace tether;
using codec::value;

/// Serializes `x` and reads it back into a default-constructed T.
template <class T> T round_trip(T x) {
  caf::actor_system_config cfg;
  caf::actor_system sys{cfg};
  std::vector<char> buf;
  caf::binary_serializer sink{sys, buf};
  auto written = sink(x);
  REQUIRE(!written);
  REQUIRE(!buf.empty());
  T result;
  caf::binary_deserializer source{sys, buf};
  auto read = source(result);
  REQUIRE(!read);
  REQUIRE(source.remaining() == 0);
  return result;
}

records::kept_frame frame(uint64_t seq, bool counted, bool answers,
                          uint64_t request_id, std::string bytes) {
  records::kept_frame x;
  x.seq = seq;
  x.counted = counted;
  x.answers = answers;
  x.request_id = request_id;
  x.bytes = std::move(bytes);
  return x;
}

/// Bytes with a NUL and high bytes: a frame is binary, not text.
std::string binary_bytes(char tag) {
  return std::string{"\x92\x01\x00\xff\xc0", 5} + tag;
}

records::line_record line(uint64_t number, bool broken) {
  records::line_record x;
  x.number = number;
  x.generation = number * 3;
  x.next_seq = 12;
  x.acked = 8;
  x.seq_limit = 40;
  x.broken = broken;
  x.detached_since_ms = broken ? 1'700'000'000'123 : 0;
  x.kept = {
      frame(9, true, false, 0, binary_bytes('a')),
      frame(10, false, true, 77, binary_bytes('b')),
      frame(11, true, true, 0xffff'ffff'ffff'fff0, std::string(300, 'x'))};
  return x;
}

records::session_record session() {
  records::session_record x;
  x.id = "s-1f2e";
  x.key = "k-secret";
  x.info =
      value::map({{"user", value::of(std::string{"ada"})},
                  {"level", value::of(42)},
                  {"tags", value::of(std::vector<std::string>{"a", "b"})}});
  x.next_line = 4;
  x.idle_since_ms = 1'700'000'000'000;
  x.rooms = {"lobby", "game-7"};
  x.lines = {line(1, false), line(2, true), line(3, false)};
  x.lines[2].kept.clear();
  return x;
}

records::room_member_record member(std::string id, uint64_t position) {
  records::room_member_record x;
  x.id = std::move(id);
  x.info = value::map({{"name", value::of(x.id + "-name")}});
  x.position = position;
  return x;
}

records::room_record room() {
  records::room_record x;
  x.id = "game-7";
  x.type = "match";
  x.owner = "s-1f2e";
  x.max_members = 8;
  x.ttl_s = 600;
  x.presence = false;
  x.props = {{"map", value::of(std::string{"dust"})},
             {"round", value::of(3)},
             {"scores", value::of(std::map<std::string, int>{{"s-1f2e", 10}})},
             {"nothing", value{}}};
  x.members = {member("s-1f2e", 1), member("s-9a9a", 4), member("s-0b0b", 9)};
  x.empty_since_ms = 0;
  return x;
}

} // namespace

TEST_CASE("a kept frame survives a round trip") {
  auto x = frame(5, false, true, 123456789, binary_bytes('z'));
  CHECK(round_trip(x) == x);
}

TEST_CASE("a line record with kept frames survives a round trip") {
  auto x = line(2, true);
  REQUIRE(x.kept.size() == 3);
  CHECK(round_trip(x) == x);
}

TEST_CASE("a session record with info, rooms and lines survives a round "
          "trip") {
  auto x = session();
  auto y = round_trip(x);
  CHECK(y == x);
  CHECK(y.lines.size() == 3);
  std::string user;
  CHECK(codec::lookup(y.info, "user").convert_to(user));
  CHECK(user == "ada");
}

TEST_CASE("a room member record survives a round trip") {
  auto x = member("s-9a9a", 4);
  CHECK(round_trip(x) == x);
}

TEST_CASE("a room record with props and members survives a round trip") {
  auto x = room();
  auto y = round_trip(x);
  CHECK(y == x);
  int round = 0;
  CHECK(y.props.at("round").convert_to(round));
  CHECK(round == 3);
  CHECK(y.props.at("nothing").is_nil());
  REQUIRE(y.members.size() == 3);
  CHECK(y.members[2].position == 9);
}

TEST_CASE("a truncated session record is refused") {
  caf::actor_system_config cfg;
  caf::actor_system sys{cfg};
  std::vector<char> buf;
  caf::binary_serializer sink{sys, buf};
  auto x = session();
  REQUIRE(!sink(x));
  buf.resize(buf.size() / 2);
  records::session_record y;
  caf::binary_deserializer source{sys, buf};
  CHECK(source(y));
}

TEST_CASE("default records survive a round trip") {
  CHECK(round_trip(records::kept_frame{}) == records::kept_frame{});
  CHECK(round_trip(records::line_record{}) == records::line_record{});
  CHECK(round_trip(records::session_record{}) == records::session_record{});
  CHECK(round_trip(records::room_member_record{}) ==
        records::room_member_record{});
  CHECK(round_trip(records::room_record{}) == records::room_record{});
}
