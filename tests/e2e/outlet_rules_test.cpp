// What a stream's outlet owes a client, over real sockets: ACK is checked
// against what was sent and never goes backwards, refusals and paced
// results never close a client that reads and acknowledges, and a client
// that reads but never acknowledges is closed with CLOSE 7 rather than
// stalled forever.

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <ctime>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <type_traits>
#include <variant>
#include <vector>

#include <catch2/catch.hpp>

#include "tether/tests/support/test_node.hpp"

using namespace tether;
using namespace std::chrono_literals;
using codec::value;

namespace {

using clock_type = std::chrono::steady_clock;

std::chrono::milliseconds left_until(clock_type::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
      deadline - clock_type::now());
  return std::max(left, std::chrono::milliseconds{0});
}

/// What a connection ended with, or did not.
struct ending {
  /// The CLOSE code, if a CLOSE came.
  std::optional<uint64_t> code;
  /// The connection ended without a CLOSE frame.
  bool dropped = false;
  /// Frames other than HEARTBEAT and CLOSE that arrived meanwhile.
  uint64_t others = 0;

  std::string describe() const {
    if (code)
      return "CLOSE " + std::to_string(*code);
    if (dropped)
      return "the connection ended without a CLOSE";
    return "no CLOSE, the connection still open";
  }
};

/// Reads until a CLOSE comes or the connection ends, for at most `limit`.
ending close_within(client::client& c, std::chrono::milliseconds limit) {
  ending result;
  auto deadline = clock_type::now() + limit;
  while (clock_type::now() < deadline) {
    auto f = c.next(std::min(left_until(deadline), 200ms));
    if (!f) {
      if (c.closed()) {
        result.dropped = true;
        return result;
      }
      continue;
    }
    if (auto x = std::get_if<codec::close>(&*f)) {
      result.code = x->code;
      return result;
    }
    if (!std::holds_alternative<codec::heartbeat>(*f))
      ++result.others;
  }
  return result;
}

/// Sends REQUEST sys.echo with `id` (payload: the id) and expects its REPLY
/// as the next frame, numbered `seq`.
void echo(client::client& c, uint64_t id, uint64_t seq) {
  INFO("sys.echo id " << id);
  c.send(codec::request{id, "sys.echo", value::of(id)});
  auto r = test::expect<codec::reply>(c);
  CHECK(r.id == id);
  CHECK(r.payload == value::of(id));
  CHECK(c.last_seq() == seq);
}

value stream_payload(uint64_t count, uint64_t size) {
  return test::map_of({{"count", value::of(count)}, {"size", value::of(size)}});
}

/// The final answers of requests sent as raw frames, read from `next`.
struct answers {
  /// Final answers per id: RETRY, ERROR, REPLY, or the RESULT_PART flagged
  /// last.
  std::map<uint64_t, int> finals;
  /// RESULT_PART frames per id.
  std::map<uint64_t, uint64_t> parts;
  uint64_t retries = 0;
  /// RETRY with another reason than `overloaded`.
  uint64_t odd_retries = 0;
  /// REPLY or ERROR: sys.stream answers neither to a valid payload.
  uint64_t odd_answers = 0;
  /// RESULT_PART frames whose payload was not the expected bytes.
  uint64_t odd_parts = 0;
  /// Frames for an id that already had its final answer.
  uint64_t late = 0;
  /// Numbered frames read (everything but HEARTBEAT and CLOSE).
  uint64_t frames = 0;
  std::optional<uint64_t> close_code;
  bool dropped = false;
};

/// Reads the answers to `requests` ids (1..requests) of sys.stream until
/// each has its final answer, a CLOSE comes, the connection ends, or
/// nothing arrives for `quiet`, for at most `limit`.
answers read_answers(client::client& c, uint64_t requests,
                     const value& expected_part,
                     std::chrono::milliseconds limit,
                     std::chrono::milliseconds quiet = 5s) {
  answers a;
  auto deadline = clock_type::now() + limit;
  auto last_frame = clock_type::now();
  while (a.finals.size() < requests && clock_type::now() < deadline &&
         clock_type::now() - last_frame < quiet) {
    auto f = c.next(std::min(left_until(deadline), 200ms));
    if (!f) {
      if (c.closed()) {
        a.dropped = true;
        break;
      }
      continue;
    }
    last_frame = clock_type::now();
    if (std::holds_alternative<codec::heartbeat>(*f))
      continue;
    if (auto x = std::get_if<codec::close>(&*f)) {
      a.close_code = x->code;
      break;
    }
    ++a.frames;
    std::visit(
        [&a](const auto& x) {
          using type = std::decay_t<decltype(x)>;
          if constexpr (std::is_same_v<type, codec::retry> ||
                        std::is_same_v<type, codec::result_part> ||
                        std::is_same_v<type, codec::reply> ||
                        std::is_same_v<type, codec::error>) {
            auto i = a.finals.find(x.id);
            if (i != a.finals.end() && i->second > 0)
              ++a.late;
          }
        },
        *f);
    if (auto x = std::get_if<codec::retry>(&*f)) {
      ++a.retries;
      ++a.finals[x->id];
      if (x->reason != "overloaded")
        ++a.odd_retries;
    } else if (auto x = std::get_if<codec::result_part>(&*f)) {
      ++a.parts[x->id];
      if (!(x->payload == expected_part))
        ++a.odd_parts;
      if (x->last)
        ++a.finals[x->id];
    } else if (auto x = std::get_if<codec::reply>(&*f)) {
      ++a.odd_answers;
      ++a.finals[x->id];
    } else if (auto x = std::get_if<codec::error>(&*f)) {
      ++a.odd_answers;
      ++a.finals[x->id];
    }
  }
  return a;
}

/// Resumes `token` after `last_seq`: the REPLYs to the echoes numbered
/// after it, up to `last`, come again in order (each echo's id is its seq),
/// and nothing else.
void resumes_with_replay(client::client& c, const std::string& token,
                         uint64_t last_seq, uint64_t last) {
  std::string error;
  auto r = c.resume_session(token, last_seq, &error);
  INFO("SESSION_RESUME with last_seq " << last_seq << ": "
                                       << (r ? "SESSION" : error));
  REQUIRE(r);
  CHECK(r->resumed);
  CHECK(r->last_seq == last_seq);
  for (uint64_t id = last_seq + 1; id <= last; ++id) {
    INFO("replay of seq " << id);
    auto reply = test::expect<codec::reply>(c);
    CHECK(reply.id == id);
    CHECK(reply.payload == value::of(id));
    CHECK(c.last_seq() == id);
  }
  CHECK_FALSE(c.next(300ms).has_value());
  CHECK(c.duplicates() == 0);
  CHECK(c.gaps() == 0);
}

} // namespace

TEST_CASE("An ACK above the highest seq sent is a protocol error", "[outlet]") {
  test::test_node n;
  client::io_thread io;
  codec::session s;
  auto c1 = test::with_session(n, io, s, 0);
  for (uint64_t id = 1; id <= 5; ++id)
    echo(*c1, id, id);
  c1->send(codec::ack{std::numeric_limits<uint64_t>::max()});
  auto end = close_within(*c1, 5s);
  INFO("after ACK 18446744073709551615 with seq 5 the highest sent: "
       << end.describe());
  CHECK(end.describe() == "CLOSE 2");
  CHECK(end.others == 0);
  // The bogus ACK acknowledged nothing: the stream resumes where it was.
  auto c2 = n.join(io);
  c2->auto_ack(0);
  std::string error;
  auto r = c2->resume_session(s.stream_token, 5, &error);
  INFO("SESSION_RESUME with last_seq 5: " << (r ? "SESSION" : error));
  REQUIRE(r);
  CHECK(r->resumed);
  CHECK(r->last_seq == 5);
  CHECK(r->session_id == s.session_id);
  echo(*c2, 6, 6);
  CHECK_FALSE(c2->next(300ms).has_value());
  CHECK(c2->duplicates() == 0);
  CHECK(c2->gaps() == 0);
}

TEST_CASE("An ACK never un-acknowledges and frames after it are kept",
          "[outlet]") {
  test::test_node n;
  client::io_thread io;
  codec::session s;
  auto c1 = test::with_session(n, io, s, 0);
  for (uint64_t id = 1; id <= 5; ++id)
    echo(*c1, id, id);
  c1->send(codec::ack{3});
  echo(*c1, 6, 6);
  // Backwards: ignored, neither an error nor an un-acknowledgement.
  c1->send(codec::ack{1});
  echo(*c1, 7, 7);
  CHECK_FALSE(c1->closed());
  c1->abort();
  auto c2 = n.join(io);
  c2->auto_ack(0);
  std::string error;

  SECTION("a resume after the acknowledged seq replays what follows it") {
    // A frame numbered 5 or less would count as a duplicate.
    resumes_with_replay(*c2, s.stream_token, 5, 7);
  }

  SECTION("a resume at the acknowledged seq replays every frame after it") {
    resumes_with_replay(*c2, s.stream_token, 3, 7);
  }

  SECTION("a resume below the acknowledged seq gets resume_gap") {
    CHECK_FALSE(c2->resume_session(s.stream_token, 2, &error));
    CHECK(error == "resume_gap");
  }
}

TEST_CASE("Refusals do not close a reading client", "[outlet]") {
  const uint64_t requests = 10000;
  const uint64_t count = 4;
  // With the default limits 9,872 RETRY and 512 parts pass the outbox limit
  // only if the client's ACKs lose the race; with a smaller outbox the
  // refusals alone pass it. A client that reads and acknowledges is never
  // closed either way: the node must pace itself.
  uint64_t outbox_frames = 0;
  SECTION("with the default outbox limit") {
    outbox_frames = config::limits{}.max_outbox_frames;
  }
  SECTION("with an outbox limit below the number of refusals") {
    outbox_frames = 2000;
  }
  INFO("max_outbox_frames " << outbox_frames);
  test::test_node n{[outbox_frames](config::options& o) {
    o.lim.max_outbox_frames = outbox_frames;
    // What is tested is the outlet's pacing, under one message of them all.
    o.lim.max_batch_frames = requests;
  }};
  client::io_thread io;
  codec::session s;
  auto c = test::with_session(n, io, s, 64);
  std::vector<codec::frame> batch;
  batch.reserve(requests);
  for (uint64_t id = 1; id <= requests; ++id)
    batch.emplace_back(
        codec::request{id, "sys.stream", stream_payload(count, 8)});
  c->send(batch); // one WebSocket message
  auto a =
      read_answers(*c, requests, value::of(std::vector<char>(8, 'x')), 60s);
  c->ack();
  INFO(a.finals.size() << " of " << requests << " ids answered, " << a.retries
                       << " RETRY, " << a.frames
                       << " numbered frames read, last_seq " << c->last_seq()
                       << "; ended with "
                       << (a.close_code
                               ? "CLOSE " + std::to_string(*a.close_code)
                           : a.dropped ? "a drop without CLOSE"
                                       : "no CLOSE"));
  CHECK_FALSE(a.close_code.has_value());
  CHECK_FALSE(a.dropped);
  CHECK(a.finals.size() == requests);
  uint64_t twice = 0, unknown = 0, wrong_parts = 0;
  for (const auto& [id, times] : a.finals) {
    if (times != 1)
      ++twice;
    if (id < 1 || id > requests)
      ++unknown;
    auto p = a.parts.find(id);
    uint64_t parts = p == a.parts.end() ? 0 : p->second;
    if (parts != 0 && parts != count)
      ++wrong_parts;
  }
  CHECK(twice == 0);
  CHECK(unknown == 0);
  CHECK(wrong_parts == 0);
  CHECK(a.odd_retries == 0);
  CHECK(a.odd_answers == 0);
  CHECK(a.odd_parts == 0);
  CHECK(a.late == 0);
  // Each id: one RETRY, or `count` parts.
  CHECK(a.retries + (a.finals.size() - a.retries) * count == a.frames);
  // Numbered 1, 2, 3, ... with no gaps or repeats.
  CHECK(c->last_seq() == a.frames);
  CHECK(c->gaps() == 0);
  CHECK(c->duplicates() == 0);
  // And the connection stays open after the final ACK.
  if (!a.close_code && !a.dropped) {
    auto end = close_within(*c, 500ms);
    CHECK(end.describe() == "no CLOSE, the connection still open");
    CHECK(end.others == 0);
  }
}

TEST_CASE("Many paced results at once do not overflow a reading client",
          "[outlet]") {
  const uint64_t requests = 100;
  const uint64_t count = 1000;
  test::test_node n;
  client::io_thread io;
  codec::session s;
  auto c = test::with_session(n, io, s, 64);
  std::vector<codec::frame> batch;
  for (uint64_t id = 1; id <= requests; ++id)
    batch.emplace_back(
        codec::request{id, "sys.stream", stream_payload(count, 16)});
  c->send(batch); // one WebSocket message
  auto a =
      read_answers(*c, requests, value::of(std::vector<char>(16, 'x')), 60s);
  c->ack();
  INFO(a.finals.size() << " of " << requests << " ids complete, " << a.frames
                       << " parts read; ended with "
                       << (a.close_code
                               ? "CLOSE " + std::to_string(*a.close_code)
                           : a.dropped ? "a drop without CLOSE"
                                       : "no CLOSE"));
  CHECK_FALSE(a.close_code.has_value());
  CHECK_FALSE(a.dropped);
  CHECK(a.finals.size() == requests);
  CHECK(a.retries == 0);
  CHECK(a.odd_answers == 0);
  CHECK(a.odd_parts == 0);
  CHECK(a.late == 0);
  uint64_t incomplete = 0, not_one_final = 0;
  for (uint64_t id = 1; id <= requests; ++id) {
    if (a.parts[id] != count)
      ++incomplete;
    if (a.finals[id] != 1)
      ++not_one_final;
  }
  CHECK(incomplete == 0);
  CHECK(not_one_final == 0);
  CHECK(a.frames == requests * count);
  CHECK(c->last_seq() == requests * count);
  CHECK(c->gaps() == 0);
  CHECK(c->duplicates() == 0);
}

TEST_CASE("A paced op ends with CLOSE 7 for a client that reads but never ACKs",
          "[outlet]") {
  const uint64_t count = 30000;
  test::test_node n{[](config::options& o) { o.lim.heartbeat_ms = 300; }};
  client::io_thread io;
  codec::session s;
  auto c = test::with_session(n, io, s, 0); // never acknowledges
  c->send(codec::request{1, "sys.push",
                         test::map_of({{"name", value::of(std::string{"t"})},
                                       {"payload", value::of(1)},
                                       {"count", value::of(count)}})});
  CHECK(test::expect<codec::reply>(*c).id == 1);
  uint64_t signals = 0;
  ending end;
  auto deadline = clock_type::now() + 10s;
  auto last_heartbeat = clock_type::time_point{};
  while (clock_type::now() < deadline) {
    // Alive and reading, only never acknowledging.
    if (clock_type::now() - last_heartbeat >= 100ms) {
      c->send(codec::heartbeat{0, static_cast<uint64_t>(std::time(nullptr))});
      last_heartbeat = clock_type::now();
    }
    auto f = c->next(std::min(left_until(deadline), 50ms));
    if (!f) {
      if (c->closed()) {
        end.dropped = true;
        break;
      }
      continue;
    }
    if (auto x = std::get_if<codec::close>(&*f)) {
      end.code = x->code;
      break;
    }
    if (std::holds_alternative<codec::signal>(*f))
      ++signals;
    else if (!std::holds_alternative<codec::heartbeat>(*f))
      ++end.others;
  }
  INFO(signals << " of " << count << " signals read without ACK, then "
               << end.describe() << " within 10 s");
  CHECK(end.describe() == "CLOSE 7");
  CHECK(end.others == 0);
  CHECK(signals < count);
  CHECK(c->gaps() == 0);
}
