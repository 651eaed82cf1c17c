// Real tether-node processes killed with SIGKILL at random points and
// started again on the same store. Every resume either replays what the
// client had (each frame as it was) and what it missed, with no gap, no
// duplicate and no seq naming another frame, or answers resume_gap. Also:
// TTLs count the time a node was down, and a request answered before a
// restart is not run again.

#include <atomic>
#include <condition_variable>
#include <csignal>
#include <cstdlib>
#include <deque>
#include <iostream>
#include <map>
#include <mutex>
#include <random>
#include <sstream>
#include <thread>
#include <variant>

#include <catch2/catch.hpp>

#include "tether/codec/decode.hpp"
#include "tether/codec/encode.hpp"
#include "tether/tests/support/calls.hpp"
#include "tether/tests/support/child_node.hpp"
#include "tether/tests/support/test_node.hpp"
#include "tether/transport/ws_client.hpp"

using namespace tether;
using test::call;
using test::call_ok;
using test::join;
using namespace std::chrono_literals;
using codec::value;
using steady = std::chrono::steady_clock;

namespace {

std::vector<std::string> node_args(const test::temp_dir& dir,
                                   std::vector<std::string> more = {}) {
  std::vector<std::string> args{"--listen=127.0.0.1:0", "--node-name=crashy",
                                "--log-level=warning",
                                "--data-dir=" + dir.path()};
  args.insert(args.end(), more.begin(), more.end());
  return args;
}

codec::value push_payload(const std::string& name, uint64_t count,
                          codec::value payload) {
  return test::map_of({{"name", value::of(name)},
                       {"payload", std::move(payload)},
                       {"count", value::of(count)}});
}

/// A client that shows every frame with the seq it came in and its bytes
/// as the node encoded them, and counts nothing itself: for tests that
/// check numbering exactly.
class raw_client {
 public:
  struct entry {
    codec::frame frame;
    /// The SEQ it came in; 0 when not numbered.
    uint64_t seq = 0;
    /// The nested frame's bytes, as the node sent them.
    std::string bytes;
  };

  static std::shared_ptr<raw_client>
  connect(client::io_thread& io, const client::endpoint& where,
          std::chrono::milliseconds timeout = 2s) {
    std::shared_ptr<raw_client> self{new raw_client};
    self->ws_ = std::make_shared<transport::ws_client>(io.context());
    if (self->ws_->connect(where.host, where.port, where.path, timeout))
      return nullptr;
    std::weak_ptr<raw_client> weak = self;
    self->ws_->start({[weak](std::string bytes, bool) {
                        if (auto c = weak.lock())
                          c->on_message(bytes);
                      },
                      [weak](const std::string&) {
                        if (auto c = weak.lock())
                          c->on_closed();
                      }});
    return self;
  }

  ~raw_client() { ws_->abort(); }

  void send(const codec::frame& f) {
    ws_->send(transport::make_shared_bytes(codec::encode(f)));
  }

  /// The next frame other than HEARTBEAT; nullopt on timeout, or once
  /// closed and every frame taken.
  std::optional<entry> next(std::chrono::milliseconds timeout) {
    std::unique_lock<std::mutex> lock{mtx_};
    auto until = steady::now() + timeout;
    while (true) {
      cv_.wait_until(lock, until,
                     [this] { return !inbox_.empty() || closed_; });
      if (inbox_.empty())
        return std::nullopt;
      auto e = std::move(inbox_.front());
      inbox_.pop_front();
      if (!std::holds_alternative<codec::heartbeat>(e.frame))
        return e;
    }
  }

  /// The next frame, which must be numbered.
  entry next_numbered(std::chrono::milliseconds timeout = 5s) {
    auto e = next(timeout);
    REQUIRE(e);
    INFO("frame " << to_string(codec::kind_of(e->frame)));
    REQUIRE(e->seq > 0);
    return std::move(*e);
  }

  bool closed() {
    std::lock_guard<std::mutex> guard{mtx_};
    return closed_;
  }

  /// A message that did not decode arrived.
  bool bad() const { return bad_; }

  bool hello() {
    send(codec::hello{1, "crash-test", {}});
    auto e = next(5s);
    return e && std::holds_alternative<codec::welcome>(e->frame);
  }

  /// Sends SESSION_OPEN, SESSION_ATTACH or SESSION_RESUME with id `id`:
  /// the SESSION answer, or the ERROR code ("timeout" when none came).
  std::variant<codec::session, std::string> session(const codec::frame& f,
                                                    uint64_t id) {
    send(f);
    auto e = next(5s);
    if (!e)
      return std::string{"timeout"};
    if (auto x = std::get_if<codec::session>(&e->frame); x && x->id == id)
      return *x;
    if (auto x = std::get_if<codec::error>(&e->frame); x && x->id == id)
      return x->code;
    FAIL("a " << to_string(codec::kind_of(e->frame))
              << " frame came before the answer to a session frame");
    return std::string{};
  }

 private:
  raw_client() = default;

  void on_message(const std::string& bytes) {
    auto batch = codec::decode_batch(bytes.data(), bytes.size());
    std::vector<entry> got;
    if (auto frames = std::get_if<std::vector<codec::frame>>(&batch)) {
      for (auto& f : *frames) {
        entry e;
        if (auto s = std::get_if<codec::seq>(&f)) {
          auto inner =
              codec::decode_frame(s->frame.bytes.data(), s->frame.bytes.size());
          if (std::holds_alternative<codec::decode_error>(inner)) {
            bad_ = true;
            break;
          }
          e.seq = s->seq;
          e.bytes = s->frame.bytes;
          e.frame = std::move(std::get<codec::frame>(inner));
        } else {
          e.frame = std::move(f);
        }
        got.push_back(std::move(e));
      }
    } else {
      bad_ = true;
    }
    std::lock_guard<std::mutex> guard{mtx_};
    for (auto& e : got)
      inbox_.push_back(std::move(e));
    cv_.notify_all();
  }

  void on_closed() {
    std::lock_guard<std::mutex> guard{mtx_};
    closed_ = true;
    cv_.notify_all();
  }

  std::shared_ptr<transport::ws_client> ws_;
  std::mutex mtx_;
  std::condition_variable cv_;
  std::deque<entry> inbox_;
  bool closed_ = false;
  std::atomic<bool> bad_{false};
};

/// Joins a thread at the end of its scope, also when a REQUIRE fails.
struct joined {
  std::thread t;
  ~joined() {
    if (t.joinable())
      t.join();
  }
};

// -- the SIGKILL loop ---------------------------------------------------------

/// A request the client sent on its stream, and what it got for it.
struct sent_request {
  codec::request frame;
  /// The SIGNALs a sys.push asks for (0 for sys.echo).
  uint64_t signals_wanted = 0;
  bool replied = false;
  uint64_t signals = 0;

  bool complete() const { return replied && signals == signals_wanted; }
};

/// What the client knows of its current stream.
struct stream_view {
  std::string token;
  /// The highest seq received.
  uint64_t last_seq = 0;
  /// The seq the next numbered frame must have: after a resume from N,
  /// N + 1, then on without gaps or repeats.
  uint64_t expected = 1;
  /// The highest seq the node was told of (ACK, or a resume's last_seq):
  /// the node may have dropped frames up to here, no further.
  uint64_t acked = 0;
  /// A resume with `token` got no answer: the node may have made a newer
  /// token that the client never saw.
  bool interrupted = false;
  /// Every frame received and not acknowledged, as the node encoded it.
  std::map<uint64_t, std::string> frames;
  /// The requests sent on this stream, by id.
  std::map<uint64_t, sent_request> requests;
};

struct session_view {
  bool exists = false;
  std::string id;
  std::string key;
  /// A numbered frame arrived on one of its streams: the store had
  /// committed the session before that.
  bool confirmed = false;
  std::optional<stream_view> stream;
};

struct tally {
  uint64_t kills = 0;
  uint64_t killed_starting = 0;
  uint64_t quiet_kills = 0;
  uint64_t late_kills = 0;
  uint64_t resumed = 0;
  uint64_t resumed_after_quiet = 0;
  uint64_t quiet_refused = 0;
  uint64_t resume_gap = 0;
  uint64_t stream_not_found = 0;
  uint64_t session_not_found = 0;
  uint64_t interrupted = 0;
  uint64_t replayed_seen = 0;
  uint64_t resent = 0;
  uint64_t frames = 0;
};

class crash_loop {
 public:
  explicit crash_loop(uint32_t seed) : rng_(seed) {}

  uint64_t uniform(uint64_t lo, uint64_t hi) {
    return std::uniform_int_distribution<uint64_t>{lo, hi}(rng_);
  }

  /// Takes one frame of the stream.
  void take(const raw_client::entry& e) {
    auto& st = *s_.stream;
    const auto& f = e.frame;
    INFO("frame " << to_string(codec::kind_of(f)) << " seq " << e.seq
                  << ", expected " << st.expected << ", last seen "
                  << st.last_seq);
    if (auto x = std::get_if<codec::close>(&f)) {
      // SIGKILL sends no CLOSE: the node closed us on its own.
      FAIL("the node sent CLOSE " << x->code << " " << x->message);
    }
    // Numbered, in order: no gap, no repeat.
    REQUIRE(e.seq == st.expected);
    ++st.expected;
    if (e.seq <= st.last_seq) {
      // Replayed, and seen before: the very same frame.
      auto seen = st.frames.find(e.seq);
      REQUIRE(seen != st.frames.end());
      REQUIRE(seen->second == e.bytes);
      ++tally_.replayed_seen;
      return;
    }
    ++tally_.frames;
    st.frames[e.seq] = e.bytes;
    st.last_seq = e.seq;
    s_.confirmed = true;
    if (auto r = std::get_if<codec::reply>(&f)) {
      auto i = st.requests.find(r->id);
      INFO("REPLY " << r->id);
      // An answer to a request of another stream, or a second one.
      REQUIRE(i != st.requests.end());
      REQUIRE_FALSE(i->second.replied);
      i->second.replied = true;
      if (i->second.frame.op == "sys.echo")
        REQUIRE(r->payload == i->second.frame.payload);
      return;
    }
    if (auto x = std::get_if<codec::signal>(&f)) {
      INFO("SIGNAL " << x->name);
      REQUIRE(x->name.rfind("p", 0) == 0);
      auto id = std::stoull(x->name.substr(1));
      auto i = st.requests.find(id);
      REQUIRE(i != st.requests.end());
      REQUIRE(x->payload == value::of(id));
      REQUIRE(i->second.signals < i->second.signals_wanted);
      ++i->second.signals;
      return;
    }
    FAIL("unexpected frame " << to_string(codec::kind_of(f)));
  }

  /// Takes what has arrived (waiting up to `wait` for the first).
  void read_some(raw_client& c, std::chrono::milliseconds wait) {
    while (auto e = c.next(wait)) {
      wait = 0ms;
      take(*e);
    }
  }

  void send_request(raw_client& c) {
    auto& st = *s_.stream;
    auto id = next_id_++;
    sent_request r;
    if (uniform(0, 1) == 0) {
      r.signals_wanted = uniform(1, 4);
      r.frame = codec::request{id, "sys.push",
                               push_payload("p" + std::to_string(id),
                                            r.signals_wanted, value::of(id))};
    } else {
      r.frame = codec::request{
          id, "sys.echo",
          test::map_of({{"n", value::of(id)},
                        {"pad", value::of(std::string(uniform(0, 300),
                                                      'a' + id % 26))}})};
    }
    c.send(r.frame);
    st.requests.emplace(id, std::move(r));
  }

  size_t open_requests() const {
    size_t n = 0;
    for (const auto& kv : s_.stream->requests)
      n += kv.second.complete() ? 0 : 1;
    return n;
  }

  /// Forgets what is acknowledged: never replayed again, since a resume
  /// starts at `acked` or later.
  void forget_acked() {
    auto& st = *s_.stream;
    st.frames.erase(st.frames.begin(), st.frames.upper_bound(st.acked));
  }

  void ack(raw_client& c) {
    auto& st = *s_.stream;
    if (st.last_seq <= st.acked)
      return;
    c.send(codec::ack{st.last_seq});
    st.acked = st.last_seq;
    forget_acked();
  }

  void new_stream(const codec::session& s) {
    s_.exists = true;
    s_.id = s.session_id;
    s_.key = s.session_key;
    s_.stream = stream_view{};
    s_.stream->token = s.stream_token;
  }

  /// Gets the client a stream: resumes its own, or attaches a new one, or
  /// opens a session. False when the node went away meanwhile.
  bool attach(raw_client& c, bool expect_resume) {
    if (s_.exists && s_.stream) {
      auto& st = *s_.stream;
      // Its real last seq, or one it processed earlier but did not
      // acknowledge: then frames it has seen come again.
      uint64_t from =
          uniform(0, 1) == 0 ? st.last_seq : uniform(st.acked, st.last_seq);
      // After a quiet kill mostly from before the last frame: the replay
      // must then hold frames the client had.
      if (expect_resume && st.last_seq > st.acked && uniform(0, 3) > 0)
        from = uniform(st.acked, st.last_seq - 1);
      auto id = next_id_++;
      auto answer = c.session(codec::session_resume{id, st.token, from}, id);
      auto error = std::get_if<std::string>(&answer);
      INFO("resume from " << from << " of " << st.last_seq << " (acked "
                          << st.acked << "): " << (error ? *error : "resumed"));
      if (!error) {
        auto& resumed = std::get<codec::session>(answer);
        REQUIRE(resumed.resumed);
        REQUIRE(resumed.session_id == s_.id);
        REQUIRE(resumed.last_seq == from);
        ++tally_.resumed;
        tally_.resumed_after_quiet += expect_resume ? 1 : 0;
        st.token = resumed.stream_token;
        st.interrupted = false;
        st.expected = from + 1;
        st.acked = std::max(st.acked, from);
        forget_acked();
        // Requests not answered yet are sent again, with their ids: each
        // gets one answer, from the replay or a run.
        for (auto& kv : st.requests) {
          if (!kv.second.replied) {
            c.send(kv.second.frame);
            ++tally_.resent;
          }
        }
        return true;
      }
      if (*error == "timeout") {
        REQUIRE_FALSE(expect_resume);
        st.interrupted = true;
        ++tally_.interrupted;
        return false;
      }
      if (expect_resume) {
        // A line quiet before the kill must resume. Counted, and the loop
        // goes on with a new stream, to check the rest.
        ++tally_.quiet_refused;
        FAIL_CHECK("the stream was quiet for the pause before the kill, "
                   "and its resume got "
                   << *error);
      }
      if (*error == "resume_gap") {
        ++tally_.resume_gap;
      } else if (*error == "stream_not_found") {
        // Only a stream the store may not have known: no frame of it ever
        // arrived, or the node may have made a newer token we never got.
        REQUIRE((st.last_seq == 0 || st.interrupted));
        ++tally_.stream_not_found;
      } else {
        FAIL("resume: unexpected ERROR " << *error);
      }
      s_.stream.reset();
    }
    if (s_.exists) {
      auto id = next_id_++;
      auto answer = c.session(codec::session_attach{id, s_.key}, id);
      auto error = std::get_if<std::string>(&answer);
      INFO("attach: " << (error ? *error : "attached"));
      if (!error) {
        auto& attached = std::get<codec::session>(answer);
        REQUIRE(attached.session_id == s_.id);
        REQUIRE_FALSE(attached.resumed);
        REQUIRE(attached.last_seq == 0);
        new_stream(attached);
        return true;
      }
      if (*error == "timeout")
        return false;
      REQUIRE(*error == "session_not_found");
      // Only a session the store may not have known.
      REQUIRE_FALSE(s_.confirmed);
      ++tally_.session_not_found;
      s_ = session_view{};
    }
    auto id = next_id_++;
    auto answer = c.session(codec::session_open{id, {}}, id);
    auto error = std::get_if<std::string>(&answer);
    INFO("open: " << (error ? *error : "opened"));
    if (error) {
      REQUIRE(*error == "timeout");
      return false;
    }
    new_stream(std::get<codec::session>(answer));
    return true;
  }

  /// Traffic until the node is gone.
  void busy(raw_client& c) {
    while (!c.closed()) {
      if (open_requests() < 24 && uniform(0, 2) > 0) {
        auto n = uniform(1, 3);
        for (uint64_t i = 0; i < n; ++i)
          send_request(c);
      }
      read_some(c, 1ms);
      if (uniform(0, 9) == 0)
        ack(c);
    }
    read_some(c, 0ms);
  }

  /// Traffic for a while, then every answer.
  void settle(raw_client& c, std::chrono::milliseconds traffic) {
    auto until = steady::now() + traffic;
    while (steady::now() < until) {
      if (open_requests() < 24)
        send_request(c);
      read_some(c, 1ms);
      if (uniform(0, 9) == 0)
        ack(c);
    }
    answers(c);
    if (uniform(0, 1) == 0)
      ack(c);
    // One answer at least is not acknowledged: the node keeps it.
    send_request(c);
    answers(c);
  }

  /// Waits for the whole answer to every request of the stream.
  void answers(raw_client& c) {
    auto deadline = steady::now() + 10s;
    while (open_requests() > 0) {
      INFO(open_requests() << " requests without their whole answer");
      REQUIRE(steady::now() < deadline);
      read_some(c, 100ms);
    }
  }

  /// Takes frames until the connection is gone, sending nothing.
  void drain(raw_client& c) {
    while (!c.closed())
      read_some(c, 10ms);
    read_some(c, 0ms);
  }

  /// Rounds of: start the node, resume (or attach, or open), traffic,
  /// SIGKILL. Every fourth round is quiet: all answered, then
  /// `quiet_pause` without a frame before the kill, and the next round's
  /// resume must succeed.
  void run(const test::temp_dir& dir, int rounds,
           std::chrono::milliseconds quiet_pause) {
    client::io_thread io;
    bool after_quiet = false;
    for (int round = 0; round < rounds; ++round) {
      bool is_quiet = round % 4 == 3;
      // Some rounds end quiet and settled, then send requests and are
      // killed at once: their frames wait for a commit the kill may
      // prevent (then nobody saw them: the resume is gap-free and the
      // requests are sent again) or not (resume_gap).
      bool is_late = round % 8 == 5;
      // Some kills land while the node starts (restores, listens); none
      // before the resume that must follow a quiet kill.
      bool early = !is_quiet && !is_late && !after_quiet && uniform(0, 5) == 0;
      auto delay = std::chrono::milliseconds{uniform(0, early ? 12 : 300)};
      INFO("round " << round << (is_quiet ? " (quiet)" : "")
                    << (is_late ? " (late requests)" : "")
                    << (early ? " (killed while starting)" : "")
                    << (after_quiet ? " (after a quiet kill)" : "")
                    << ", kill after " << delay.count() << " ms");
      test::child_node node{node_args(dir)};
      joined killer;
      auto kill_soon = [&] {
        killer.t = std::thread{[&node, delay] {
          std::this_thread::sleep_for(delay);
          node.signal(SIGKILL);
        }};
      };
      if (early)
        kill_soon();
      auto where = node.listening();
      if (!where) {
        REQUIRE(early);
        killer.t.join();
        REQUIRE(node.wait_exit() == -1);
        ++tally_.kills;
        ++tally_.killed_starting;
        continue;
      }
      if (!early && !is_quiet && !is_late && !after_quiet)
        kill_soon();
      // Until a kill is on its way, everything must work.
      bool must = is_quiet || is_late || after_quiet;
      auto c = raw_client::connect(io, *where);
      REQUIRE((c || !must));
      bool welcomed = c && c->hello();
      REQUIRE((welcomed || !must));
      if (welcomed) {
        bool attached = attach(*c, after_quiet);
        REQUIRE((attached || !must));
        if (attached && after_quiet)
          kill_soon();
        if (attached && is_quiet) {
          settle(*c, std::chrono::milliseconds{uniform(0, 300)});
          // Quiet: the line gives back its reservation, and the store
          // commits its exact state.
          std::this_thread::sleep_for(quiet_pause);
          read_some(*c, 0ms);
          node.signal(SIGKILL);
          ++tally_.quiet_kills;
          drain(*c);
        } else if (attached && is_late) {
          settle(*c, std::chrono::milliseconds{uniform(0, 300)});
          // Long enough for the line to give back its reservation.
          std::this_thread::sleep_for(std::max(quiet_pause, 1200ms));
          read_some(*c, 0ms);
          auto n = uniform(1, 3);
          for (uint64_t i = 0; i < n; ++i)
            send_request(*c);
          std::this_thread::sleep_for(std::chrono::milliseconds{uniform(0, 2)});
          node.signal(SIGKILL);
          ++tally_.late_kills;
          drain(*c);
        } else if (attached) {
          busy(*c);
        } else {
          drain(*c);
        }
        REQUIRE_FALSE(c->bad());
      }
      after_quiet = is_quiet;
      if (killer.t.joinable())
        killer.t.join();
      REQUIRE(node.wait_exit() == -1);
      ++tally_.kills;
    }
  }

  const tally& counts() const { return tally_; }

 private:
  std::mt19937 rng_;
  uint64_t next_id_ = 1;
  session_view s_;
  tally tally_;
};

/// How long a stream is quiet before a SIGKILL that it must survive.
std::chrono::milliseconds quiet_ms() {
  if (auto env = std::getenv("TETHER_QUIET_MS"))
    return std::chrono::milliseconds{std::stoul(env)};
  return 800ms;
}

uint32_t crash_seed() {
  if (auto env = std::getenv("TETHER_CRASH_SEED"))
    return static_cast<uint32_t>(std::stoul(env));
  return 20261202;
}

} // namespace

TEST_CASE("SIGKILL at random points: every resume replays the frames as they "
          "were, without gaps, or answers resume_gap, and a quiet "
          "stream resumes") {
  auto seed = crash_seed();
  std::cout << "crash test seed " << seed << " (TETHER_CRASH_SEED)"
            << std::endl;
  INFO("seed " << seed);
  test::temp_dir dir;
  crash_loop loop{seed};
  auto start = steady::now();
  loop.run(dir, 44, quiet_ms());
  const auto& t = loop.counts();
  std::cout << "  " << t.kills << " kills (" << t.quiet_kills << " quiet, "
            << t.late_kills << " right after late requests, "
            << t.killed_starting << " while starting) in "
            << std::chrono::duration_cast<std::chrono::milliseconds>(
                   steady::now() - start)
                   .count()
            << " ms; resumes: " << t.resumed << " gap-free ("
            << t.resumed_after_quiet << " after a quiet kill, "
            << t.quiet_refused << " quiet refused), " << t.resume_gap
            << " resume_gap, " << t.stream_not_found << " stream_not_found, "
            << t.interrupted
            << " cut short; sessions lost: " << t.session_not_found
            << "; frames " << t.frames << ", " << t.replayed_seen
            << " replayed frames compared with what came before; " << t.resent
            << " requests sent again" << std::endl;
  CHECK(t.kills == 44);
  // Rounds 3, 7, ..., 43: each but the last one followed by a resume that
  // had to succeed.
  CHECK(t.quiet_kills == 11);
  CHECK(t.late_kills == 5);
  CHECK(t.resumed_after_quiet == 10);
  CHECK(t.replayed_seen > 0);
  CHECK(t.resume_gap > 0);
}

// -- TTLs across a restart ----------------------------------------------------

TEST_CASE("a session and an empty room whose TTL passed while the node was "
          "down are gone after a restart, but a room whose TTL did not pass "
          "is kept") {
  test::temp_dir dir;
  auto args = node_args(dir, {"--session-ttl-s=2"});
  client::io_thread io;
  codec::session s;
  std::string short_room, long_room;
  steady::time_point stopped;
  {
    test::child_node node{args};
    auto where = node.listening();
    REQUIRE(where);
    auto c = join(io, *where);
    c->auto_ack(0);
    auto opened = c->open_session();
    REQUIRE(opened);
    s = *opened;
    short_room = test::field<std::string>(
        call_ok(*c, "room.create", test::map_of({{"ttl_s", value::of(1)}})),
        "room");
    long_room = test::field<std::string>(
        call_ok(*c, "room.create", test::map_of({{"ttl_s", value::of(60)}})),
        "room");
    call_ok(*c, "room.leave", test::map_of({{"room", value::of(short_room)}}));
    call_ok(*c, "room.leave", test::map_of({{"room", value::of(long_room)}}));
    // Both empty, and still there when the node stops.
    call_ok(*c, "room.info", test::map_of({{"room", value::of(short_room)}}));
    call_ok(*c, "room.info", test::map_of({{"room", value::of(long_room)}}));
    node.signal(SIGTERM);
    CHECK(test::close_code_of(*c) == 5);
    stopped = steady::now();
    CHECK(node.wait_exit() == 0);
  }
  // Real time has to pass: the session's 2 s and the room's 1 s, while the
  // node is down.
  std::this_thread::sleep_until(stopped + 2500ms);
  test::child_node node{args};
  auto where = node.listening();
  REQUIRE(where);
  auto c = join(io, *where);
  c->auto_ack(0);
  std::string error;
  CHECK_FALSE(c->resume_session(s.stream_token, 0, &error));
  CHECK(error == "stream_not_found");
  CHECK_FALSE(c->attach_session(s.session_key, &error));
  CHECK(error == "session_not_found");
  REQUIRE(c->open_session());
  auto a =
      call(*c, "room.info", test::map_of({{"room", value::of(short_room)}}));
  CHECK(a.what == client::answer::kind::error);
  CHECK(a.code == "room_not_found");
  auto kept =
      call_ok(*c, "room.info", test::map_of({{"room", value::of(long_room)}}));
  CHECK(test::field<std::vector<std::string>>(kept, "members").empty());
}

TEST_CASE("a session and an empty room restarted within their TTLs come "
          "back, and expire on time counting the time the node was down") {
  test::temp_dir dir;
  auto args = node_args(dir, {"--session-ttl-s=2"});
  client::io_thread io;
  codec::session s;
  std::string room;
  // The room is empty from a moment between these two on.
  steady::time_point leaving, left;
  {
    test::child_node node{args};
    auto where = node.listening();
    REQUIRE(where);
    auto c = join(io, *where);
    c->auto_ack(0);
    auto opened = c->open_session();
    REQUIRE(opened);
    s = *opened;
    room = test::field<std::string>(
        call_ok(*c, "room.create", test::map_of({{"ttl_s", value::of(2)}})),
        "room");
    leaving = steady::now();
    call_ok(*c, "room.leave", test::map_of({{"room", value::of(room)}}));
    left = steady::now();
    c->send(codec::request{5, "sys.echo", value::of(5)});
    CHECK(test::expect<codec::reply>(*c).id == 5);
    test::stop_cleanly(node, *c);
  }
  test::child_node node{args};
  auto where = node.listening();
  REQUIRE(where);
  // From 2: the answers to room.create and room.leave are acknowledged, so
  // this client's calls may use their ids again.
  auto c = test::resume(io, *where, s, 2);
  CHECK(test::expect<codec::reply>(*c).id == 5);
  auto info = call(*c, "room.info", test::map_of({{"room", value::of(room)}}));
  INFO("room.info: " << info.code);
  CHECK(info.ok());
  // The room's 2 s started before the restart: it goes within them, not 2 s
  // after the restart.
  CHECK(test::eventually(
      [&] {
        return call(*c, "room.info", test::map_of({{"room", value::of(room)}}))
                   .code == "room_not_found";
      },
      5s));
  auto now = steady::now();
  using std::chrono::duration_cast;
  using std::chrono::milliseconds;
  INFO("gone " << duration_cast<milliseconds>(now - leaving).count()
               << " ms after room.leave was sent, "
               << duration_cast<milliseconds>(now - left).count()
               << " ms after its answer");
  CHECK(now - leaving >= 2s);
  CHECK(now - left < 2s + 900ms);
}

// -- exactly once across a restart --------------------------------------------

namespace {

/// A raw client on `where` with a session: opened, or resumed from
/// `last_seq` when `token` is set.
std::pair<std::shared_ptr<raw_client>, codec::session>
raw_session(client::io_thread& io, const client::endpoint& where,
            const std::string& token = {}, uint64_t last_seq = 0) {
  auto c = raw_client::connect(io, where);
  REQUIRE(c);
  REQUIRE(c->hello());
  auto answer = token.empty()
                    ? c->session(codec::session_open{1, {}}, 1)
                    : c->session(codec::session_resume{1, token, last_seq}, 1);
  auto error = std::get_if<std::string>(&answer);
  INFO("session: " << (error ? *error : "ok"));
  REQUIRE_FALSE(error);
  return {c, std::get<codec::session>(answer)};
}

/// The next numbered frame is REPLY `id` with seq `seq`: its bytes.
std::string expect_reply(raw_client& c, uint64_t id, uint64_t seq) {
  auto e = c.next_numbered();
  INFO("expected REPLY " << id << " as seq " << seq);
  REQUIRE(std::holds_alternative<codec::reply>(e.frame));
  CHECK(std::get<codec::reply>(e.frame).id == id);
  CHECK(e.seq == seq);
  return e.bytes;
}

/// REQUEST 6 sys.echo, then REQUEST 7 sys.push (one SIGNAL): REPLY 6, REPLY
/// 7 and the SIGNAL arrive as seqs 1 to 3, unacknowledged. Then `stop`, a
/// restart, a resume from 1 (before the push's answer), and REQUEST 7
/// again: not run again, its answer and SIGNAL come once, by the replay.
void answered_once(
    const std::function<void(test::child_node&, raw_client&)>& stop) {
  test::temp_dir dir;
  client::io_thread io;
  codec::session s;
  auto push = codec::request{
      7, "sys.push", push_payload("once", 1, value::of(std::string{"x"}))};
  std::string reply_bytes, signal_bytes;
  {
    test::child_node node{node_args(dir)};
    auto where = node.listening();
    REQUIRE(where);
    auto [c, opened] = raw_session(io, *where);
    s = opened;
    c->send(codec::request{6, "sys.echo", value::of(6)});
    expect_reply(*c, 6, 1);
    c->send(push);
    reply_bytes = expect_reply(*c, 7, 2);
    auto signal = c->next_numbered();
    REQUIRE(std::holds_alternative<codec::signal>(signal.frame));
    CHECK(std::get<codec::signal>(signal.frame).name == "once");
    CHECK(signal.seq == 3);
    signal_bytes = signal.bytes;
    stop(node, *c);
  }
  test::child_node node{node_args(dir)};
  auto where = node.listening();
  REQUIRE(where);
  auto [c, resumed] = raw_session(io, *where, s.stream_token, 1);
  CHECK(resumed.resumed);
  CHECK(resumed.last_seq == 1);
  // The same id again, as a client does for a request it has no answer to.
  c->send(push);
  c->send(codec::request{8, "sys.echo", value::of(8)});
  CHECK(expect_reply(*c, 7, 2) == reply_bytes);
  auto signal = c->next_numbered();
  CHECK(signal.seq == 3);
  CHECK(signal.bytes == signal_bytes);
  // Then the echo: nothing from a second run of 7 before it ...
  expect_reply(*c, 8, 4);
  // ... nor after it (a SIGNAL could follow its REPLY late).
  c->send(codec::request{9, "sys.echo", value::of(9)});
  expect_reply(*c, 9, 5);
  CHECK_FALSE(c->next(300ms));
}

} // namespace

TEST_CASE("a request answered but not acknowledged before SIGTERM is not run "
          "again when sent again after the restart: its answer is replayed") {
  answered_once([](test::child_node& node, raw_client& c) {
    node.signal(SIGTERM);
    auto close = c.next(5s);
    if (!close) {
      CHECK(node.wait_exit() == 0);
      FAIL("no CLOSE; the node ended by signal " << node.end_signal());
    }
    REQUIRE(std::holds_alternative<codec::close>(close->frame));
    CHECK(std::get<codec::close>(close->frame).code == 5);
    CHECK(node.wait_exit() == 0);
  });
}

TEST_CASE("a request answered on a stream quiet for 800 ms before SIGKILL is "
          "not run again after the restart: its answer is replayed") {
  answered_once([](test::child_node& node, raw_client& c) {
    std::this_thread::sleep_for(quiet_ms());
    node.signal(SIGKILL);
    CHECK(node.wait_exit() == -1);
    CHECK_FALSE(c.next(5s));
    CHECK(c.closed());
  });
}

// -- a clean stop at once -----------------------------------------------------

TEST_CASE("a node sent SIGTERM as soon as it printed its URL stops cleanly: "
          "exit 0") {
  // The URL line says the node is up: from then on SIGTERM must drain and
  // mark the store clean, not kill the node (a restart would take that for
  // a crash).
  test::temp_dir dir;
  std::ostringstream unclean;
  for (int i = 0; i < 50; ++i) {
    test::child_node node{node_args(dir)};
    REQUIRE(node.listening());
    // Its handler must be in place already: a SIGTERM can come any time
    // from now on.
    bool ready = node.handles(SIGTERM);
    node.signal(SIGTERM);
    auto code = node.wait_exit(10s);
    REQUIRE(code);
    if (!ready || *code != 0)
      unclean << "run " << i << ": " << (ready ? "" : "no SIGTERM handler, ")
              << "exit " << *code << ", ended by signal " << node.end_signal()
              << "\n";
  }
  INFO(unclean.str());
  CHECK(unclean.str().empty());
}
