#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "tether/actors/function_behavior.hpp"
#include "tether/actors/responder.hpp"
#include "tether/actors/runtime.hpp"
#include "tether/clients/cpp/client.hpp"
#include "tether/config/options.hpp"

namespace tether::test {

/// How long the tests' helpers wait for WELCOME: a liveness bound, not a
/// speed limit (a sanitizer build on a loaded machine took over 5 s).
inline constexpr std::chrono::seconds welcome_wait{30};

/// A real node on 127.0.0.1, on a port the OS picks, for one test.
class test_node {
 public:
  using tweak = std::function<void(config::options&)>;
  using setup = std::function<void(runtime&)>;

  explicit test_node(tweak change = {}, setup before_start = {});
  ~test_node();

  runtime& node() { return *rt_; }
  client::endpoint where() const;

  /// Connects a client; the test fails if it cannot.
  std::shared_ptr<client::client> connect(client::io_thread& io) const;

  /// Connects and completes HELLO/WELCOME.
  std::shared_ptr<client::client> join(client::io_thread& io) const;

 private:
  std::unique_ptr<runtime> rt_;
};

/// A connection to `n` with a fresh session, written to `out`; ACKs every
/// `ack_every` frames and when idle (0: only when the test says so). The
/// test fails if the session cannot be opened.
std::shared_ptr<client::client> with_session(const test_node& n,
                                             client::io_thread& io,
                                             codec::session& out,
                                             uint64_t ack_every = 0);

/// Options for tests: quiet logs, the defaults otherwise.
config::options test_options();

/// Encodes a map payload from key/value pairs.
codec::value map_of(std::vector<std::pair<std::string, codec::value>> kv);

/// A room op's payload: {room, ...more}.
inline codec::value
room_arg(const std::string& room,
         std::vector<std::pair<std::string, codec::value>> more = {}) {
  more.insert(more.begin(), {"room", codec::value::of(room)});
  return codec::value::map(more);
}

/// Reads `key` of a map payload as T; the test fails when it cannot.
template <class T> T field(const codec::value& map, const std::string& key) {
  T out{};
  auto x = codec::lookup(map, key);
  if (!x.convert_to(out))
    throw std::runtime_error("payload has no field '" + key +
                             "' of the expected type");
  return out;
}

} // namespace tether::test

namespace tether::test {

/// The next frame other than HEARTBEAT, as a `Frame`; the test fails when
/// none comes in time or it is of another kind.
template <class Frame>
Frame expect(client::client& c,
             std::chrono::milliseconds timeout = std::chrono::seconds{5}) {
  while (true) {
    auto f = c.next(timeout);
    if (!f)
      throw std::runtime_error(std::string{"no "} + to_string(Frame::kind_v) +
                               " frame arrived");
    if (std::holds_alternative<codec::heartbeat>(*f) &&
        Frame::kind_v != codec::kind::heartbeat)
      continue;
    if (auto x = std::get_if<Frame>(&*f))
      return *x;
    throw std::runtime_error(std::string{"expected "} +
                             to_string(Frame::kind_v) + ", got " +
                             to_string(codec::kind_of(*f)));
  }
}

/// Waits until `pred` holds, checking every 10 ms, for at most `limit`:
/// for what the node does in its own time (expiry, cleanup).
template <class Pred>
bool eventually(Pred pred,
                std::chrono::milliseconds limit = std::chrono::seconds{10}) {
  auto until = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < until) {
    if (pred())
      return true;
    std::this_thread::sleep_for(std::chrono::milliseconds{10});
  }
  return pred();
}

/// The CLOSE the node sent, waiting for the connection to end.
uint64_t close_code_of(client::client& c);

/// A behavior that answers REPLY with the payload after `delay_ms`
/// (a uint payload) or `{"ms": uint}`: a request that takes time.
behavior_actor spawn_slow_echo(caf::actor_system& sys);

} // namespace tether::test
