#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>

#include "tether/actors/behavior_registry.hpp"
#include "tether/actors/interfaces.hpp"
#include "tether/actors/rooms/room.hpp"
#include "tether/config/options.hpp"
#include "tether/transport/admission.hpp"
#include "tether/transport/beast.hpp"

namespace tether {

namespace transport {
class listener;
class tls_server;
} // namespace transport

/// Why a node could not start, besides a socket error: these call for
/// exit code 2 (a configuration or file the node refuses to use).
enum class start_errc {
  /// The store file is not Tether's, is newer, or is in use (see the log).
  store_unusable = 1,
  /// The token secret could not be read or made.
  secret_unusable,
  /// The cluster port could not be opened (busy, or TLS files unusable).
  cluster_unusable,
  /// --tls-cert or --tls-key cannot be used (see the log).
  tls_unusable,
};

const boost::system::error_category& start_category() noexcept;

inline transport::error_code make_error_code(start_errc x) noexcept {
  return {static_cast<int>(x), start_category()};
}

/// A whole node in one object: the actor system, the socket threads, the
/// listener and the behaviors. `tether-node`, the examples and the tests all
/// run a node through it.
class runtime {
 public:
  explicit runtime(config::options opts);
  ~runtime();

  runtime(const runtime&) = delete;
  runtime& operator=(const runtime&) = delete;

  /// The actor system, to spawn behaviors with.
  caf::actor_system& system() noexcept { return *system_; }

  /// The options in force.
  const config::options& options() const noexcept { return opts_; }

  /// Binds `op` to a behavior, replacing a built-in of that name. Only
  /// before `start`.
  void add_behavior(const std::string& op, behavior_actor handler);

  /// Binds `op` to a function run inline by the connection (or session line)
  /// the request arrived at, saving two actor hops. Only for quick functions
  /// that never block. Only before `start`.
  void add_inline_behavior(const std::string& op, request_function fn);

  /// Replaces the authenticator chosen by the options. Only before `start`.
  void set_authenticator(authenticator_actor authenticator);

  /// Lets `hook` judge every WebSocket upgrade and poll before it costs
  /// anything, from the peer's address, the path and the headers: a status
  /// refuses it with that HTTP status and reason. It runs on the socket's
  /// I/O thread, after the options' own limits, and must be quick. Only
  /// before `start`.
  void set_admission_hook(transport::admission_hook hook);

  /// Gives rooms of `type` server-side logic: it may refuse joins, sees
  /// joins and leaves, and gets a tick every `tick` (0: none). Only before
  /// `start`.
  void add_room_type(const std::string& type, room_logic_actor logic,
                     std::chrono::milliseconds tick);

  /// The rooms service (after `start`): behaviors create rooms with it.
  room_service_actor rooms() const noexcept { return rooms_; }

  /// The session supervisor (after `start`), e.g. to count sessions.
  session_supervisor_actor sessions() const noexcept { return sessions_; }

  /// Opens the store, restores what it holds, binds the listening socket and
  /// starts serving; the error says why not (`start_category()` for the
  /// store and the secret: the log says more).
  transport::error_code start();

  /// The port actually bound (after `start`).
  uint16_t port() const noexcept { return port_; }

  /// The WebSocket URL clients connect to, e.g. `ws://127.0.0.1:8080/ws`.
  std::string url() const;

  /// The URL other nodes send clients to: `--public-url`, else `url()`.
  std::string public_url() const;

  /// The cluster port actually bound (after `start`; 0: no cluster), and
  /// the address other nodes reach it at (HOST:PORT).
  uint16_t cluster_port() const noexcept { return cluster_port_; }
  const std::string& cluster_address() const noexcept {
    return cluster_address_;
  }

  /// Starts joining the nodes of `--join` (after `start`). Separate so that
  /// `tether-node` prints its cluster port first. `run_until_signal`
  /// calls it if not done. Idempotent.
  void join_cluster();

  /// Stops taking new connections (`/health` 503), hands every session and
  /// room to the other nodes up (if any), drains every connection (CLOSE 5
  /// once its open requests finished, or after the grace period, with a
  /// redirect to where its session went) and stops. Idempotent.
  void shutdown();

  /// Takes SIGINT and SIGTERM from now on (they no longer end the process
  /// at once), and SIGHUP, which reloads the TLS certificate: call it
  /// before `start` so that a signal that comes early still drains the
  /// node. `run_until_signal` calls it if not done.
  void catch_signals();

  /// Blocks until SIGINT or SIGTERM, then shuts down.
  void run_until_signal();

  /// Reads `--tls-cert` and `--tls-key` again for the connections to come
  /// (what SIGHUP does); a file that fails keeps the old one, logged.
  void reload_tls();

 private:
  void wait_for_signal();
  /// The options' admission limits and the user's hook; null when there
  /// are none.
  std::shared_ptr<transport::admission> make_admission() const;

  config::options opts_;
  std::unique_ptr<caf::actor_system_config> caf_cfg_;
  std::unique_ptr<caf::actor_system> system_;
  behavior_registry registry_;
  node_actor node_;
  session_supervisor_actor sessions_;
  room_service_actor rooms_;
  /// Invalid with `--store=none`.
  store_actor store_;
  room_relay_actor relay_;
  cluster_actor cluster_;
  admin_actor admin_;
  uint16_t cluster_port_ = 0;
  std::string cluster_address_;
  bool joined_ = false;
  reporter_actor reporter_;
  std::map<std::string, room_type> room_types_;
  authenticator_actor authenticator_;
  std::unique_ptr<transport::net::io_context> ioc_;
  std::unique_ptr<transport::net::executor_work_guard<
      transport::net::io_context::executor_type>>
      work_;
  std::shared_ptr<transport::listener> listener_;
  /// The client port's certificate, when it serves TLS; SIGHUP reloads it.
  std::shared_ptr<transport::tls_server> tls_;
  transport::admission_hook admission_hook_;
  std::vector<std::thread> io_threads_;
  uint16_t port_ = 0;
  std::unique_ptr<transport::net::io_context> signals_ioc_;
  std::unique_ptr<transport::net::signal_set> signals_;
  bool started_ = false;

  /// Spawns the cluster actor and, with `--cluster-listen`, publishes it.
  transport::error_code start_cluster(const std::string& secret);
  /// The drain's first part in a cluster: every room and session goes to
  /// the other nodes up. Answers the URL of one of them, where clients
  /// without a session are sent (empty: no other node is up).
  std::string hand_over_to_cluster();
  bool stopped_ = false;
};

} // namespace tether
