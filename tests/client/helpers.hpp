#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "tether/clients/cpp/session_client.hpp"
#include "tether/tests/support/child_node.hpp"
#include "tether/tests/support/test_node.hpp"
#include "tether/transport/beast.hpp"

namespace tether::test {

/// The events a session client reported, for a test to wait on.
class event_log {
 public:
  using kind = client::session_event::kind;

  /// Records `sc`'s events from now on.
  void attach(client::session_client& sc);

  void add(const client::session_event& e);

  /// Waits until at least `n` events `what` came; false after `timeout`.
  bool wait_for(kind what, size_t n = 1,
                std::chrono::milliseconds timeout = std::chrono::seconds{10});

  size_t count(kind what) const;

  std::vector<client::session_event> all() const;

  /// The names of every event so far, for a failure's message.
  std::string summary() const;

 private:
  mutable std::mutex mtx_;
  std::condition_variable cv_;
  std::vector<client::session_event> events_;
};

/// Counts the SIGNALs a session client gets, by name.
class signal_count {
 public:
  void attach(client::session_client& sc);
  int of(const std::string& name) const;

 private:
  mutable std::mutex mtx_;
  std::vector<std::string> names_;
};

/// A TCP port on 127.0.0.1 that was free a moment ago: for a node that
/// must listen on the same port after a restart.
uint16_t free_port();

/// Stops `node` with SIGSTOP and waits until it is stopped: its sockets
/// take what comes, and nothing is answered.
void freeze(child_node& node);

/// `ws://127.0.0.1:PORT/ws`.
std::string url_of(uint16_t port);
std::string url_of(const client::endpoint& e);
/// The long-polling URL (`http://HOST:PORT/poll`) of the node at `e`.
std::string poll_url_of(const client::endpoint& e);

/// A behavior that counts its runs and answers REPLY with the payload
/// after `payload` ms (a uint).
behavior_actor spawn_counting_slow(caf::actor_system& sys,
                                   std::shared_ptr<std::atomic<int>> runs);

/// A fake node that answers every HELLO with CLOSE 5 and `redirect`, as a
/// node of a cluster sends a client to the owner of its session.
class redirector {
 public:
  /// As `redirect`: send clients back to this redirector itself.
  static inline const std::string self = "self";

  explicit redirector(std::string redirect);
  ~redirector();
  std::string url() const;
  /// Connections it sent away.
  int served() const noexcept { return served_.load(); }

 private:
  void accept_next();

  std::string redirect_;
  transport::net::io_context ioc_;
  transport::tcp::acceptor acceptor_;
  std::atomic<int> served_{0};
  std::thread thread_;
};

} // namespace tether::test
