#pragma once

#include <cstddef>
#include <memory>
#include <string>

namespace tether::transport {

/// Encoded bytes shared, never copied, between all who send them.
using shared_bytes = std::shared_ptr<const std::string>;

inline shared_bytes make_shared_bytes(std::string bytes) {
  return std::make_shared<const std::string>(std::move(bytes));
}

/// One open WebSocket as its owner sees it. Every member may be called from
/// any thread: the channel hands the work to its own I/O strand.
class channel {
 public:
  virtual ~channel() = default;

  /// Queues one binary WebSocket message.
  virtual void send(shared_bytes message) = 0;

  /// Sends `last` (if not null) after everything queued, then closes the
  /// WebSocket and the socket. Reading stops at once.
  virtual void close(shared_bytes last) = 0;

  /// Bytes queued but not written yet: the backlog of a slow reader.
  virtual size_t queued_bytes() const = 0;

  /// Says one delivered message was handled. The channel pauses reading while
  /// too many delivered messages are unhandled, so a fast sender cannot grow
  /// its owner's mailbox without bound.
  virtual void message_done() = 0;

  /// Asks for one `on_drained` call once fewer than `bytes` are queued.
  virtual void notify_when_below(size_t bytes) = 0;

  /// The peer's address, for logs.
  virtual const std::string& remote() const = 0;
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

  /// The channel is gone; no call follows this one.
  virtual void on_closed(const std::string& reason) = 0;
};

} // namespace tether::transport
