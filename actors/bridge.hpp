#pragma once

// The boundary between Asio's threads (sockets) and CAF's (actors). It is
// the only place where the two meet, and it keeps these rules:
//
// 1. A socket's thread reaches actors only by `anon_send` of typed messages
//    (`socket_events`): it never touches an actor's state.
// 2. Actors reach a socket only through its `bridge`, whose calls post work
//    onto the socket's executor and never block.
// 3. Every counter has one writing thread. The socket's (its queue, what
//    is unhandled, whether reading is paused) live on its executor, which
//    publishes one figure: the bytes it is done with (`retired_bytes`).
//    Actors count what they handed over (`handed_`), so the backlog is the
//    difference, and they report handled messages in groups, so that a
//    message costs no extra post.
// 4. A bridge never travels inside a message (messages may cross nodes,
//    sockets may not): actors find it by connection id in the node's
//    `bridge_table`.

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "tether/actors/interfaces.hpp"
#include "tether/actors/traffic.hpp"
#include "tether/transport/channel.hpp"

namespace tether {

/// The actors' handle on one socket: writes, closes, the backlog, and the
/// count of handled messages. Any actor may write through it (the
/// connection and its session's line both do).
class bridge {
 public:
  /// `report_every`: handled messages told to the socket at once; at most
  /// half the socket's pause mark, so a paused socket always resumes.
  /// `counts` (optional) gets every message in and out.
  bridge(std::shared_ptr<transport::channel> channel, std::string conn_id,
         size_t report_every, std::shared_ptr<traffic> counts = nullptr);

  bridge(const bridge&) = delete;
  bridge& operator=(const bridge&) = delete;

  const std::string& conn_id() const { return conn_id_; }
  const std::string& remote() const { return channel_->remote(); }

  /// Queues one WebSocket message of `frames` frames.
  void send(transport::shared_bytes message, uint64_t frames = 1);

  /// Sends `last` (if any, of `frames` frames) after everything queued,
  /// then closes.
  void close(transport::shared_bytes last, uint64_t frames = 0);

  /// The node's counts (null: none kept).
  traffic* counts() const { return counts_.get(); }

  /// Bytes handed over that the socket has not written yet.
  uint64_t backlog() const;

  /// One delivered message was handled. Called by the connection only.
  void message_handled();

  /// Asks for `drained_atom` at the connection once the socket's queue is
  /// below `bytes`.
  void notify_when_below(size_t bytes) { channel_->notify_when_below(bytes); }

 private:
  std::shared_ptr<transport::channel> channel_;
  std::shared_ptr<traffic> counts_;
  std::string conn_id_;
  /// Written by actors only (fetch_add), read by actors only.
  std::atomic<uint64_t> handed_{0};
  size_t report_every_;
  /// Handled messages not yet told to the socket (the connection's thread).
  size_t unreported_ = 0;
};

/// The socket's side: turns a channel's events into messages to its
/// connection actor, and holds the actor only until the channel is gone,
/// so neither keeps the other alive.
class socket_events : public transport::channel_handler {
 public:
  explicit socket_events(connection_actor actor) : actor_(std::move(actor)) {}

  void on_message(std::string bytes, bool binary) override;
  void on_too_large() override;
  void on_drained() override;
  void on_polled() override;
  void on_closed(const std::string& reason) override;

 private:
  connection_actor actor_;
};

/// The bridges of one node by connection id: how a session's line finds
/// the socket of the connection it is attached to. Its lock is taken when
/// a connection opens or closes and when a line attaches, never per frame.
class bridge_table {
 public:
  void add(const std::shared_ptr<bridge>& b);
  void remove(const std::string& conn_id);
  /// The bridge of `conn_id`, or null (closed, or on another node).
  std::shared_ptr<bridge> find(const std::string& conn_id) const;

 private:
  mutable std::mutex mutex_;
  std::unordered_map<std::string, std::weak_ptr<bridge>> bridges_;
};

} // namespace tether
