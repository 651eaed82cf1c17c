#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

namespace tether::transport {

/// Encoded bytes shared, never copied, between all who send them.
using shared_bytes = std::shared_ptr<const std::string>;

inline shared_bytes make_shared_bytes(std::string bytes) {
  return std::make_shared<const std::string>(std::move(bytes));
}

/// One open WebSocket as its owner sees it. `send`, `close`,
/// `messages_handled` and `notify_when_below` may be called from any thread:
/// each posts its work to the socket's own executor, where all of the
/// socket's state lives. The one value read from other threads is
/// `retired_bytes`, which only the socket's thread changes.
class channel {
 public:
  virtual ~channel() = default;

  /// Queues one binary WebSocket message.
  virtual void send(shared_bytes message) = 0;

  /// Sends `last` (if not null) after everything queued, then closes the
  /// WebSocket and the socket. Reading stops at once.
  virtual void close(shared_bytes last) = 0;

  /// Bytes of sent messages the socket is done with (written, or dropped
  /// because it closed), since it opened. A writer that counts what it sent
  /// knows its backlog as the difference.
  virtual uint64_t retired_bytes() const = 0;

  /// Says `n` more delivered messages were handled. The channel pauses
  /// reading while too many delivered messages are unhandled, so a fast
  /// sender cannot grow its owner's mailbox without bound.
  virtual void messages_handled(size_t n) = 0;

  /// Asks for one `on_drained` call once fewer than `bytes` wait in the
  /// socket's write queue.
  virtual void notify_when_below(size_t bytes) = 0;

  /// The peer's address, for logs.
  virtual const std::string& remote() const = 0;

  /// What the connection's id ends with. A WebSocket's socket is its own
  /// credential: nothing. A poll connection's id is the only credential
  /// of its HTTP requests, so it ends with random characters.
  virtual std::string id_suffix() const { return {}; }
};

/// Receives what a channel reads. Called on the channel's I/O thread, so an
/// implementation only hands things over (sends a message to an actor).
class channel_handler {
 public:
  virtual ~channel_handler() = default;

  /// One whole WebSocket message.
  virtual void on_message(std::string bytes, bool binary) = 0;

  /// The peer sent a message over the size limit; reading has stopped.
  virtual void on_too_large() = 0;

  /// The write queue fell below the mark of `channel::notify_when_below`.
  virtual void on_drained() = 0;

  /// A long poll arrived or ended: the client is there, as a heartbeat
  /// would say (poll connections only).
  virtual void on_polled() {}

  /// The channel is gone; no call follows this one.
  virtual void on_closed(const std::string& reason) = 0;
};

} // namespace tether::transport
