// Migrations under traffic: clients echo, broadcast and send to one member
// in a shared room while their sessions and the room are moved from node to
// node at random (seeded; TETHER_SEED and TETHER_MIGRATIONS change the run).
// Every request is answered once, no stream has a gap, and every room message
// reaches its members once and in one order.

#include <atomic>
#include <cstdlib>
#include <map>
#include <mutex>
#include <random>
#include <thread>

#include <catch2/catch.hpp>

#include "tether/clients/cpp/session_client.hpp"
#include "tether/tests/cluster/cluster_nodes.hpp"
#include "tether/tests/support/calls.hpp"

using namespace tether;
using namespace std::chrono_literals;
using codec::value;
using test::room_arg;

namespace {

/// A session client and what it saw.
struct traveller {
  std::unique_ptr<client::session_client> sc;
  std::mutex mtx;
  std::vector<std::string> messages;
  /// room.send's messages to it alone, from the traveller before it.
  std::vector<std::string> direct;
  std::vector<std::string> events;
};

client::session_options options_for(const std::string& url) {
  client::session_options o;
  o.url = url;
  o.min_delay = 10ms;
  o.max_delay = 100ms;
  o.step_timeout = 3s;
  return o;
}

client::answer answer_of(std::future<client::answer>& f) {
  REQUIRE(f.wait_for(20s) == std::future_status::ready);
  return f.get();
}

} // namespace

TEST_CASE("migrations under traffic lose nothing, repeat nothing and keep "
          "one room order") {
  const char* seeded = std::getenv("TETHER_SEED");
  const uint32_t seed =
      seeded ? static_cast<uint32_t>(std::atoi(seeded)) : 20261202;
  const char* asked = std::getenv("TETHER_MIGRATIONS");
  const int migrations = asked ? std::atoi(asked) : 200;
  INFO("seed " << seed);
  auto nodes = test::three_nodes();
  client::io_thread io;
  std::mt19937 rng{seed};
  std::vector<std::unique_ptr<traveller>> ts;
  for (int k = 0; k < 4; ++k) {
    auto t = std::make_unique<traveller>();
    t->sc = std::make_unique<client::session_client>(
        io, options_for(nodes[k % 3].url));
    auto* raw = t.get();
    t->sc->on_push([raw](const codec::frame& f) {
      if (auto m = std::get_if<codec::room_message>(&f)) {
        std::string text;
        m->payload.convert_to(text);
        std::lock_guard<std::mutex> guard{raw->mtx};
        (m->name == "m" ? raw->messages : raw->direct).push_back(text);
      }
    });
    t->sc->on_event([raw](const client::session_event& e) {
      std::lock_guard<std::mutex> guard{raw->mtx};
      raw->events.push_back(client::to_string(e.what));
    });
    t->sc->start();
    REQUIRE(t->sc->wait_live(5s));
    ts.push_back(std::move(t));
  }
  auto created = ts[0]->sc->call(
      "room.create", test::map_of({{"presence", value::of(false)}}));
  auto room = test::field<std::string>(answer_of(created).payload, "room");
  for (size_t k = 1; k < ts.size(); ++k) {
    auto f = ts[k]->sc->call("room.join", room_arg(room));
    REQUIRE(answer_of(f).ok());
  }

  std::atomic<bool> done{false};
  std::atomic<int> wrong{0};
  // One line per wrong answer, to see what went wrong.
  auto report = [&](size_t k, const char* what, std::future<client::answer>& f,
                    const int* echoed) {
    if (f.wait_for(20s) != std::future_status::ready) {
      ++wrong;
      std::fprintf(stderr, "client %zu: %s unanswered\n", k, what);
      return;
    }
    auto a = f.get();
    if (a.ok() && (!echoed || a.payload == value::of(*echoed)))
      return;
    ++wrong;
    std::fprintf(stderr, "client %zu: %s answered %d %s %s\n", k, what,
                 static_cast<int>(a.what), a.code.c_str(), a.message.c_str());
  };
  std::vector<int> sent(ts.size(), 0);
  std::vector<int> sent_direct(ts.size(), 0);
  std::vector<std::thread> traffic;
  for (size_t k = 0; k < ts.size(); ++k)
    traffic.emplace_back([&, k] {
      auto& sc = *ts[k]->sc;
      for (int i = 0; !done || i < 20; ++i) {
        // Two requests in flight: an echo and, every third, a broadcast.
        auto echo = sc.call("sys.echo", value::of(i));
        std::optional<std::future<client::answer>> cast;
        if (i % 3 == 0)
          cast = sc.call(
              "room.broadcast",
              room_arg(room,
                       {{"name", value::of(std::string{"m"})},
                        {"payload", value::of(std::to_string(k) + "." +
                                              std::to_string(sent[k]++))}}));
        std::optional<std::future<client::answer>> direct;
        if (i % 5 == 0) {
          auto to = ts[(k + 1) % ts.size()]->sc->session_id();
          direct = sc.call(
              "room.send",
              room_arg(room, {{"name", value::of(std::string{"p"})},
                              {"to", value::array({value::of(to)})},
                              {"payload",
                               value::of(std::to_string(sent_direct[k]++))}}));
        }
        report(k, "echo", echo, &i);
        if (cast)
          report(k, "broadcast", *cast, nullptr);
        if (direct)
          report(k, "send", *direct, nullptr);
      }
    });

  // The migrations, asked at a random node each.
  int refused = 0;
  std::vector<std::string> names{"a", "b", "c"};
  for (int m = 0; m < migrations; ++m) {
    // One in four moves the room, the others a member's session.
    bool room_moves = rng() % 4 == 0;
    auto& t = *ts[rng() % ts.size()];
    auto to = names[rng() % 3];
    auto& at = nodes[rng() % 3];
    auto began = std::chrono::steady_clock::now();
    auto status = room_moves
                      ? test::migrate_room(at, room, to)
                      : test::migrate_session(at, t.sc->session_id(), to);
    auto took = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now() - began);
    if (status != 200 || took > 1s)
      std::fprintf(stderr, "migration %d (%s) to %s: %u in %lld ms\n", m,
                   room_moves ? "room" : "session", to.c_str(), status,
                   static_cast<long long>(took.count()));
    if (status != 200)
      ++refused;
  }
  done = true;
  for (auto& th : traffic)
    th.join();
  CHECK(refused == 0);
  CHECK(wrong == 0);

  // Every member gets every broadcast, once, in one order.
  size_t total = 0;
  for (auto n : sent)
    total += static_cast<size_t>(n);
  for (auto& t : ts)
    CHECK(test::eventually(
        [&] {
          std::lock_guard<std::mutex> guard{t->mtx};
          return t->messages.size() >= total;
        },
        10s));
  std::vector<std::string> first;
  {
    std::lock_guard<std::mutex> guard{ts[0]->mtx};
    first = ts[0]->messages;
  }
  CHECK(first.size() == total);
  for (size_t k = 0; k < ts.size(); ++k)
    for (int i = 0; i < sent[k]; ++i) {
      auto text = std::to_string(k) + "." + std::to_string(i);
      if (std::find(first.begin(), first.end(), text) == first.end())
        std::fprintf(stderr, "missing %s\n", text.c_str());
    }
  for (auto& t : ts) {
    std::lock_guard<std::mutex> guard{t->mtx};
    // Where it first differs, rather than both lists.
    size_t same = 0;
    while (same < t->messages.size() && same < first.size() &&
           t->messages[same] == first[same])
      ++same;
    INFO("first difference at " << same << " of " << t->messages.size());
    CHECK((same == first.size() && same == t->messages.size()));
    std::string seen;
    for (const auto& e : t->events)
      seen += e + " ";
    INFO("events: " << seen);
    CHECK(seen.find("resume_gap") == std::string::npos);
    CHECK(seen.find("new_session") == std::string::npos);
  }
  // Each sender's messages in the order it sent them.
  std::map<std::string, int> next;
  for (const auto& text : first) {
    auto dot = text.find('.');
    auto who = text.substr(0, dot);
    auto number = std::stoi(text.substr(dot + 1));
    INFO("sender " << who);
    CHECK(number == next[who]);
    next[who] = number + 1;
  }
  // Each room.send reached its one member once, in order.
  for (size_t k = 0; k < ts.size(); ++k) {
    auto& to = *ts[(k + 1) % ts.size()];
    std::vector<std::string> expected;
    for (int i = 0; i < sent_direct[k]; ++i)
      expected.push_back(std::to_string(i));
    CHECK(test::eventually(
        [&] {
          std::lock_guard<std::mutex> guard{to.mtx};
          return to.direct.size() >= expected.size();
        },
        10s));
    std::lock_guard<std::mutex> guard{to.mtx};
    CHECK(to.direct == expected);
  }
  for (auto& t : ts)
    t->sc->close();
}
