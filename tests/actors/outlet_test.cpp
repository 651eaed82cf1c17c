// The outlet's rules, run step by step on CAF's test coordinator: no
// threads, no sleeps, timers advanced by hand.

#include "tether/actors/outlet/outlet.hpp"

#include <catch2/catch.hpp>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/scheduler/test_coordinator.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "tether/actors/outlet/drain.hpp"
#include "tether/codec/decode.hpp"
#include "tether/tests/actors/recording_channel.hpp"

using namespace tether;
using namespace std::chrono_literals;

namespace {

/// What the probe saw, for the test to read.
struct probe_log {
  outlet::kept_load kept;
  transport::shared_bytes lone;
  bool stalled = false;
  std::vector<uint64_t> grants;
};

struct probe_state {
  static inline const char* name = "tether.test.outlet_probe";
  outlet out;
};

/// An owner of an outlet whose handlers each do one thing with it:
/// SIGNAL writes `payload` REPLY frames in one handler, REPLY one frame,
/// ERROR one frame encoded elsewhere and shared, RETRY closes, and DRAIN
/// reports progress (an ACK, say) with the kept load in the log.
outlet_actor::behavior_type
probe(outlet_actor::stateful_pointer<probe_state> self,
      std::shared_ptr<bridge> socket,
      std::shared_ptr<const config::limits> limits,
      std::shared_ptr<probe_log> log) {
  auto& out = self->state.out;
  out.init(self, limits);
  out.attach(std::move(socket), false);
  auto done = [self] { self->state.out.end_of_handler(); };
  return {
      [self, done](codec::signal& x) {
        uint64_t n = 0;
        x.payload.convert_to(n);
        for (uint64_t i = 0; i < n; ++i)
          self->state.out.write_frame(codec::reply{i, codec::value::of(i)});
        done();
      },
      [self, done](codec::reply& x) {
        self->state.out.write_frame(x);
        done();
      },
      [self, done, log](codec::error& x) {
        log->lone = transport::make_shared_bytes(codec::encode(x));
        self->state.out.write(log->lone);
        done();
      },
      [self](codec::retry& x) {
        self->state.out.close(codec::close_code::slow_consumer, x.reason);
      },
      [](codec::result_part&) {},
      [](codec::request&) { return client_answer{}; },
      [self, log](credit_atom, uint64_t wanted) {
        return self->state.out.credit(wanted, log->kept);
      },
      [self](flush_atom) { self->state.out.on_flush(); },
      [self, log](stall_atom, uint64_t epoch) {
        log->stalled = self->state.out.on_stall(epoch);
      },
      [self, log](drain_atom) { self->state.out.settle(log->kept); },
      [](grace_atom) {},
  };
}

/// A node of one probe on the test coordinator.
struct fixture {
  fixture() : fixture(config::limits{}) {}

  explicit fixture(config::limits lim)
      : limits(std::make_shared<const config::limits>(lim)),
        sys(make_config(cfg)),
        sched(dynamic_cast<caf::scheduler::test_coordinator&>(sys.scheduler())),
        channel(std::make_shared<test::recording_channel>()),
        socket(std::make_shared<bridge>(channel, "c-1", 32)),
        log(std::make_shared<probe_log>()),
        actor(sys.spawn(probe, socket, limits, log)) {
    sched.run();
  }

  ~fixture() {
    caf::anon_send_exit(actor, caf::exit_reason::user_shutdown);
    sched.run();
  }

  static caf::actor_system_config& make_config(caf::actor_system_config& c) {
    c.set("scheduler.policy", caf::atom("testing"));
    return c;
  }

  /// A sender that asks for credit and notes what it got.
  void ask_credit(uint64_t wanted) {
    auto target = actor;
    auto notes = log;
    sys.spawn([target, notes, wanted](caf::event_based_actor* self) {
      self->request(target, caf::infinite, credit_atom::value, wanted)
          .then([notes](uint64_t n) { notes->grants.push_back(n); });
    });
  }

  /// Frames in the `i`th message the socket got.
  size_t frames_in(size_t i) const {
    const auto& bytes = *channel->sent.at(i);
    auto batch = codec::decode_batch(bytes.data(), bytes.size());
    return std::get<std::vector<codec::frame>>(batch).size();
  }

  std::shared_ptr<const config::limits> limits;
  caf::actor_system_config cfg;
  caf::actor_system sys;
  caf::scheduler::test_coordinator& sched;
  std::shared_ptr<test::recording_channel> channel;
  std::shared_ptr<bridge> socket;
  std::shared_ptr<probe_log> log;
  outlet_actor actor;
};

config::limits with(void (*change)(config::limits&)) {
  config::limits lim;
  change(lim);
  return lim;
}

} // namespace

TEST_CASE("the frames one handler writes share one WebSocket message") {
  fixture f;
  caf::anon_send(f.actor, codec::signal{"burst", codec::value::of(5)});
  f.sched.run();
  REQUIRE(f.channel->sent.size() == 1);
  CHECK(f.frames_in(0) == 5);
}

TEST_CASE("frames of messages waiting in the mailbox join one message behind "
          "a flush") {
  fixture f;
  for (uint64_t i = 0; i < 4; ++i)
    caf::anon_send(f.actor, codec::reply{i, codec::value::of(i)});
  f.sched.run_once(); // The first handler sees three more waiting.
  CHECK(f.channel->sent.empty());
  f.sched.run();
  REQUIRE(f.channel->sent.size() == 1);
  CHECK(f.frames_in(0) == 4);
}

TEST_CASE("a lone encoded frame is written as it is, without a copy") {
  fixture f;
  caf::anon_send(f.actor, codec::error{1, "x", "y"});
  f.sched.run();
  REQUIRE(f.channel->sent.size() == 1);
  CHECK(f.channel->sent[0].get() == f.log->lone.get());
}

TEST_CASE("a batch is written once it holds batch_max_bytes") {
  fixture f{with([](config::limits& l) { l.batch_max_bytes = 64; })};
  caf::anon_send(f.actor, codec::signal{"burst", codec::value::of(40)});
  f.sched.run();
  REQUIRE(f.channel->sent.size() > 1);
  size_t frames = 0;
  for (size_t i = 0; i < f.channel->sent.size(); ++i) {
    CHECK(f.channel->sent[i]->size() < 64 + 16);
    frames += f.frames_in(i);
  }
  CHECK(frames == 40);
}

TEST_CASE("credit is one budget shared by every sender") {
  // A budget of a quarter of the frame limit: 100 frames.
  fixture f{with([](config::limits& l) { l.max_outbox_frames = 400; })};
  f.ask_credit(80);
  f.ask_credit(80);
  f.ask_credit(80);
  f.sched.run();
  CHECK(f.log->grants == std::vector<uint64_t>{80, 20});
  SECTION("what is kept counts against it until acknowledged") {
    f.log->kept = {90, 0};
    caf::anon_send(f.actor, drain_atom::value); // An ACK that frees little.
    f.sched.run();
    CHECK(f.log->grants.size() == 2);
    f.log->kept = {0, 0};
    caf::anon_send(f.actor, drain_atom::value); // Everything acknowledged.
    f.sched.run();
    CHECK(f.log->grants == std::vector<uint64_t>{80, 20, 80});
  }
  SECTION("a sender never gets more than it asked for") {
    f.log->kept = {0, 0};
    caf::anon_send(f.actor, drain_atom::value);
    f.sched.run();
    f.ask_credit(3);
    f.sched.run();
    CHECK(f.log->grants.back() == 3);
  }
}

TEST_CASE("credit that waits three heartbeats without progress is a stall") {
  fixture f{with([](config::limits& l) {
    l.max_outbox_frames = 4;
    l.heartbeat_ms = 100;
  })};
  f.log->kept = {1, 0}; // The whole budget is kept: credit must wait.
  f.ask_credit(1);
  f.sched.run();
  CHECK(f.log->grants.empty());
  SECTION("no ACK at all") {
    f.sched.advance_time(300ms);
    f.sched.run();
    CHECK(f.log->stalled);
  }
  SECTION("progress restarts the clock") {
    caf::anon_send(f.actor, drain_atom::value); // Progress, but no room.
    f.sched.run();
    f.sched.advance_time(300ms);
    f.sched.run();
    CHECK_FALSE(f.log->stalled);
    f.sched.advance_time(300ms);
    f.sched.run();
    CHECK(f.log->stalled);
  }
}

TEST_CASE("CLOSE is the last message and credit is refused after it") {
  fixture f;
  caf::anon_send(f.actor, codec::reply{1, codec::value::of(1)});
  caf::anon_send(f.actor, codec::retry{0, 0, "bye"});
  f.sched.run();
  REQUIRE(f.channel->closed);
  REQUIRE(f.channel->last);
  auto batch =
      codec::decode_batch(f.channel->last->data(), f.channel->last->size());
  const auto& frames = std::get<std::vector<codec::frame>>(batch);
  // The reply waited behind the close in the mailbox: it goes first.
  REQUIRE(frames.size() == 2);
  CHECK(std::holds_alternative<codec::reply>(frames[0]));
  CHECK(std::get<codec::close>(frames[1]).code == 7);
  caf::anon_send(f.actor, codec::reply{2, codec::value::of(2)});
  f.ask_credit(10);
  f.sched.run();
  CHECK(f.channel->sent.empty());
  CHECK(f.log->grants == std::vector<uint64_t>{0});
}

TEST_CASE("a drain closes at once when nothing is open, and refuses new "
          "requests") {
  fixture f;
  lazy_hub hub;
  drain d;
  CHECK_FALSE(d.refuses(hub, 1));
  CHECK(d.begin(caf::actor_cast<caf::scheduled_actor*>(f.actor), hub, 10ms));
  CHECK(d.active());
  CHECK(d.refuses(hub, 1));
  CHECK(drain::refusal(1).reason == "shutdown");
  // A second drain changes nothing.
  CHECK_FALSE(
      d.begin(caf::actor_cast<caf::scheduled_actor*>(f.actor), hub, 10ms));
}
