#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <memory>
#include <string>

#include "tether/transport/channel.hpp"
#include "tether/transport/http_api.hpp"
#include "tether/transport/poll_registry.hpp"

namespace tether::transport {

class admission;
class static_files;
class tls_server;

/// What the listener and its WebSocket sessions need to know.
struct settings {
  /// Path of the WebSocket endpoint.
  std::string ws_path = "/ws";
  /// Largest WebSocket message read, in bytes.
  size_t max_message = 1 << 20;
  /// Reads one message may take (its WebSocket frames, a frame read in
  /// several pieces counting for each); past it, as past `max_message`.
  size_t max_fragments = 4096;
  /// Delivered but unhandled messages at which reading pauses.
  int max_unhandled = 64;
  /// Time for the HTTP upgrade request to arrive.
  std::chrono::milliseconds upgrade_timeout{10000};
  /// Silence after which the transport pings, then gives up (backstop to the
  /// protocol's own heartbeat).
  std::chrono::milliseconds idle_timeout{60000};
  /// Time a closing socket gets to flush its last frames.
  std::chrono::milliseconds close_timeout{2000};
  /// Whether more than one thread runs the I/O context: then each socket
  /// needs a strand. With one thread a strand only costs a lock and a queue
  /// per handler, and memory per socket.
  bool threaded_io = false;
  /// Serves `/api/...`, `/metrics` and `/debug`; empty: those paths are
  /// not found.
  http_api api;
  /// Files served to GET (`/tether.js`, `--static`); null: none.
  std::shared_ptr<const static_files> files;
  /// Set when the node drains: `/health` answers 503 and new WebSockets
  /// are refused with 503; the admin API still answers. Shared by every
  /// copy of these settings.
  std::shared_ptr<std::atomic<bool>> draining =
      std::make_shared<std::atomic<bool>>(false);
  /// Serves TLS as well as plain clients on the port; null: plain only.
  std::shared_ptr<tls_server> tls;
  /// The open poll connections (long polling under `/poll`). Shared by
  /// every copy of these settings.
  std::shared_ptr<poll_registry> polls = std::make_shared<poll_registry>();
  /// Counts connections and refuses what is over the limits; null: none.
  std::shared_ptr<transport::admission> admits;
  /// What a WebSocket over the node's connection limit gets right after
  /// its upgrade before it is closed (the contract's CLOSE 9 frame).
  shared_bytes overloaded_close;
};

} // namespace tether::transport
