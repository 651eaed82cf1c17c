// Moves under traffic: clients echo, push to themselves, broadcast and send
// to one member in a shared room while their sessions and the room are moved
// from node to node at random (seeded; TETHER_SEED and TETHER_MIGRATIONS change
// the run), or while the node that has them all drains. Every request is
// answered once, no stream has a gap, and every room message reaches its
// members once and in one order.

#include <atomic>
#include <cstdlib>
#include <map>
#include <mutex>
#include <random>
#include <thread>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "tether/clients/cpp/session_client.hpp"
#include "tether/tests/cluster/cluster_nodes.hpp"
#include "tether/tests/support/calls.hpp"
#include "tether/tests/support/http_call.hpp"

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
  /// The SIGNALs of its own sys.push requests, by payload.
  std::vector<std::string> pushed;
};

client::session_options options_for(const std::string& url) {
  client::session_options o;
  o.url = url;
  o.min_delay = 10ms;
  o.max_delay = 100ms;
  o.step_timeout = 3s;
  return o;
}

/// What a traveller saw of one kind: its messages, direct or pushed.
using seen_list = std::vector<std::string> traveller::*;

/// Whether `t` saw at least `n` of `list` within 10 s.
bool arrived(traveller& t, seen_list list, size_t n) {
  return test::eventually(
      [&] {
        std::lock_guard<std::mutex> guard{t.mtx};
        return (t.*list).size() >= n;
      },
      10s);
}

/// `t` saw exactly `expected` of `list`, once what is on its way arrived.
void check_seen(traveller& t, seen_list list,
                const std::vector<std::string>& expected) {
  CHECK(arrived(t, list, expected.size()));
  std::lock_guard<std::mutex> guard{t.mtx};
  CHECK(t.*list == expected);
}

client::answer answer_of(std::future<client::answer>& f) {
  REQUIRE(f.wait_for(20s) == std::future_status::ready);
  return f.get();
}

/// Four travellers, the k-th connected at `urls[k % urls.size()]`, members
/// of one room the first made.
struct travellers {
  std::vector<std::unique_ptr<traveller>> ts;
  std::string room;

  travellers(client::io_thread& io, const std::vector<std::string>& urls) {
    for (size_t k = 0; k < 4; ++k) {
      auto t = std::make_unique<traveller>();
      t->sc = std::make_unique<client::session_client>(
          io, options_for(urls[k % urls.size()]));
      auto* raw = t.get();
      t->sc->on_push([raw](const codec::frame& f) {
        if (auto sig = std::get_if<codec::signal>(&f);
            sig && sig->name == "t") {
          std::string text;
          sig->payload.convert_to(text);
          std::lock_guard<std::mutex> guard{raw->mtx};
          raw->pushed.push_back(text);
        }
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
    room = test::field<std::string>(answer_of(created).payload, "room");
    for (size_t k = 1; k < ts.size(); ++k) {
      auto f = ts[k]->sc->call("room.join", room_arg(room));
      REQUIRE(answer_of(f).ok());
    }
  }

  ~travellers() {
    for (auto& t : ts)
      t->sc->close();
  }
};

/// Each traveller echoes, broadcasts and sends to the next one, from its
/// own thread, until stopped (at least 20 rounds each).
class traffic {
 public:
  explicit traffic(travellers& x)
      : x_(x), sent_(x.ts.size(), 0), sent_direct_(x.ts.size(), 0),
        pushes_(x.ts.size(), 0) {
    for (size_t k = 0; k < x.ts.size(); ++k)
      threads_.emplace_back([this, k] { run(k); });
  }

  /// Stops the traffic and checks what everyone saw.
  void stop_and_check() {
    done_ = true;
    for (auto& th : threads_)
      th.join();
    CHECK(wrong_ == 0);
    check_messages();
    check_direct();
    check_pushed();
  }

 private:
  /// One line per wrong answer, to see what went wrong.
  void report(size_t k, const char* what, std::future<client::answer>& f,
              const int* echoed) {
    if (f.wait_for(20s) != std::future_status::ready) {
      ++wrong_;
      std::fprintf(stderr, "client %zu: %s unanswered\n", k, what);
      return;
    }
    auto a = f.get();
    if (a.ok() && (!echoed || a.payload == value::of(*echoed)))
      return;
    ++wrong_;
    std::fprintf(stderr, "client %zu: %s answered %d %s %s\n", k, what,
                 static_cast<int>(a.what), a.code.c_str(), a.message.c_str());
  }

  void run(size_t k) {
    auto& ts = x_.ts;
    auto& sc = *ts[k]->sc;
    for (int i = 0; !done_ || i < 20; ++i) {
      // Two requests in flight: an echo and, every third, a broadcast.
      auto echo = sc.call("sys.echo", value::of(i));
      std::optional<std::future<client::answer>> cast;
      if (i % 3 == 0)
        cast = sc.call(
            "room.broadcast",
            room_arg(x_.room,
                     {{"name", value::of(std::string{"m"})},
                      {"payload", value::of(std::to_string(k) + "." +
                                            std::to_string(sent_[k]++))}}));
      std::optional<std::future<client::answer>> direct;
      if (i % 5 == 0) {
        auto to = ts[(k + 1) % ts.size()]->sc->session_id();
        direct =
            sc.call("room.send",
                    room_arg(x_.room, {{"name", value::of(std::string{"p"})},
                                       {"to", value::array({value::of(to)})},
                                       {"payload", value::of(std::to_string(
                                                       sent_direct_[k]++))}}));
      }
      // Every seventh, a push of two SIGNALs to itself.
      std::optional<std::future<client::answer>> push;
      if (i % 7 == 0)
        push = sc.call(
            "sys.push",
            test::map_of({{"name", value::of(std::string{"t"})},
                          {"payload", value::of(std::to_string(pushes_[k]++))},
                          {"count", value::of(2)}}));
      report(k, "echo", echo, &i);
      if (push)
        report(k, "push", *push, nullptr);
      if (cast)
        report(k, "broadcast", *cast, nullptr);
      if (direct)
        report(k, "send", *direct, nullptr);
    }
  }

  /// Every member gets every broadcast, once, in one order, and no stream
  /// of theirs had a gap.
  void check_messages() {
    auto& ts = x_.ts;
    size_t total = 0;
    for (auto n : sent_)
      total += static_cast<size_t>(n);
    for (auto& t : ts)
      CHECK(arrived(*t, &traveller::messages, total));
    std::vector<std::string> first;
    {
      std::lock_guard<std::mutex> guard{ts[0]->mtx};
      first = ts[0]->messages;
    }
    CHECK(first.size() == total);
    for (size_t k = 0; k < ts.size(); ++k)
      for (int i = 0; i < sent_[k]; ++i) {
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
  }

  /// Each room.send reached its one member once, in order.
  void check_direct() {
    auto& ts = x_.ts;
    for (size_t k = 0; k < ts.size(); ++k) {
      auto& to = *ts[(k + 1) % ts.size()];
      std::vector<std::string> expected;
      for (int i = 0; i < sent_direct_[k]; ++i)
        expected.push_back(std::to_string(i));
      check_seen(to, &traveller::direct, expected);
    }
  }

  /// Each sys.push's two SIGNALs reached its session once each, in order.
  void check_pushed() {
    for (size_t k = 0; k < x_.ts.size(); ++k) {
      auto& t = *x_.ts[k];
      std::vector<std::string> expected;
      for (int i = 0; i < pushes_[k]; ++i)
        for (int twice = 0; twice < 2; ++twice)
          expected.push_back(std::to_string(i));
      // The SIGNALs follow the REPLY: the last ones may still be on their way.
      check_seen(t, &traveller::pushed, expected);
    }
  }

  travellers& x_;
  std::atomic<bool> done_{false};
  std::atomic<int> wrong_{0};
  std::vector<int> sent_;
  std::vector<int> sent_direct_;
  std::vector<int> pushes_;
  std::vector<std::thread> threads_;
};

/// The sessions a node has, from its admin API.
uint64_t sessions_at(const test::cluster_node& n) {
  auto r = test::http_call(n.where, "GET", "/api/v1/node", test::admin_token);
  auto body = nlohmann::json::parse(r.body, nullptr, false);
  return body.is_object() && body.contains("sessions")
             ? body["sessions"].get<uint64_t>()
             : 0;
}

} // namespace

TEST_CASE("migrations under traffic lose nothing and repeat nothing and keep "
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
  travellers x{io, {nodes[0].url, nodes[1].url, nodes[2].url}};
  traffic load{x};

  // The migrations, asked at a random node each.
  int refused = 0;
  std::vector<std::string> names{"a", "b", "c"};
  for (int m = 0; m < migrations; ++m) {
    // One in four moves the room, the others a member's session.
    bool room_moves = rng() % 4 == 0;
    auto& t = *x.ts[rng() % x.ts.size()];
    auto to = names[rng() % 3];
    auto& at = nodes[rng() % 3];
    auto began = std::chrono::steady_clock::now();
    auto status = room_moves
                      ? test::migrate_room(at, x.room, to)
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
  CHECK(refused == 0);
  load.stop_and_check();
}

TEST_CASE("a node drained under traffic hands every session and room to the "
          "others and loses nothing") {
  auto nodes = test::three_nodes();
  client::io_thread io;
  // Everything on a: the sessions, the room, a client without a session.
  travellers x{io, {nodes[0].url}};
  auto bare = test::join(io, nodes[0].where);
  traffic load{x};
  // Some traffic before the drain.
  REQUIRE(test::eventually(
      [&] {
        std::lock_guard<std::mutex> guard{x.ts[3]->mtx};
        return x.ts[3]->messages.size() >= 10;
      },
      10s));
  auto drain = test::http_call(nodes[0].where, "POST", "/api/v1/drain",
                               test::admin_token, "{}");
  CHECK(drain.status == 202);
  auto closed = bare->wait_closed(10s);
  REQUIRE(closed);
  CHECK(closed->code == 5);
  // Sent to one of the others.
  CHECK((closed->redirect == nodes[1].url || closed->redirect == nodes[2].url));
  auto exited = nodes[0].process->wait_exit(20s);
  INFO("a wrote: " << nodes[0].process->error_output());
  REQUIRE(exited == std::optional<int>{0});
  // Traffic goes on at the nodes left for a while.
  auto before = [&] {
    std::lock_guard<std::mutex> guard{x.ts[3]->mtx};
    return x.ts[3]->messages.size();
  }();
  REQUIRE(test::eventually(
      [&] {
        std::lock_guard<std::mutex> guard{x.ts[3]->mtx};
        return x.ts[3]->messages.size() >= before + 10;
      },
      10s));
  load.stop_and_check();
  // Two sessions to each.
  CHECK(sessions_at(nodes[1]) == 2);
  CHECK(sessions_at(nodes[2]) == 2);
  for (int at : {1, 2})
    CHECK(test::await_view(nodes[at].where, {"a:down", "b:up", "c:up"}));
}
