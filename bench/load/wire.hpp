#pragma once

// The two protocols the generator speaks: Tether's MessagePack frames (for
// tether-node, the baseline and node-ws) and Socket.IO 5 over Engine.IO 4
// text packets (for the Socket.IO peer). Each workload asks for the same
// things (echo, create a room, join, broadcast) and reads the answers as
// the same events, whatever the server.

#include <cstdint>
#include <string>
#include <vector>

namespace tether::bench {

enum class protocol { tether, socketio };

/// What a server said, reduced to what the workloads look at.
struct event {
  enum kind_t {
    welcome,      // handshake done (number = the limits' ack_every, if any)
    session,      // SESSION (id, token, resumed, last_seq)
    reply,        // REPLY or an acknowledgement (id; sys.info: the counts)
    error,        // ERROR (id, text = code)
    retry,        // RETRY (id)
    room_message, // a broadcast reached this member (number = its payload)
    signal,       // SIGNAL (number = its payload, when a uint)
    close,        // CLOSE (number = code, text = redirect) or a disconnect
    other
  };
  kind_t kind = other;
  uint64_t id = 0;
  uint64_t seq = 0; // the SEQ number around it, 0 if unnumbered
  uint64_t number = 0;
  std::string text; // a room id in a create reply, a token, an error code,
                    // a CLOSE's redirect
  std::string session_id; // SESSION
  bool resumed = false;
  uint64_t last_seq = 0;
  // sys.info's REPLY (number = its connections)
  uint64_t sessions = 0;
  uint64_t rooms = 0;
};

class wire {
 public:
  /// `ack_every`: a session's client ACKs after this many numbered frames;
  /// 0: after the `ack_every` the node's WELCOME advises.
  explicit wire(protocol p, uint64_t ack_every = 32)
      : p_(p), ack_every_(ack_every) {}

  protocol kind() const { return p_; }
  uint64_t ack_every() const { return ack_every_; }
  bool binary() const { return p_ == protocol::tether; }

  /// A payload of `size` bytes (bin in MessagePack, a string in JSON).
  std::string blob(size_t size) const;
  /// A payload holding the number `n`.
  std::string number(uint64_t n) const;

  std::string hello() const;
  std::string session_open(uint64_t id) const;
  std::string session_resume(uint64_t id, const std::string& token,
                             uint64_t last_seq) const;
  std::string ack(uint64_t seq) const;
  /// A request `op` whose payload is already encoded (see blob, number).
  std::string request(uint64_t id, const std::string& op,
                      const std::string& payload) const;
  std::string echo(uint64_t id, const std::string& payload) const;
  /// sys.push: a REPLY, then `count` SIGNALs `p` carrying `payload`.
  std::string push(uint64_t id, uint64_t count,
                   const std::string& payload) const;
  /// sys.info: a REPLY with the node's counts.
  std::string info(uint64_t id) const;
  std::string room_create(uint64_t id, uint64_t max_members) const;
  std::string room_join(uint64_t id, const std::string& room) const;
  /// `delivery` and `key` (Tether only) are left out when empty.
  std::string room_broadcast(uint64_t id, const std::string& room,
                             const std::string& payload, bool exclude_self,
                             const std::string& delivery = {},
                             const std::string& key = {}) const;

  /// Reads one WebSocket message into events. `answer` receives what must
  /// be sent back at once (Engine.IO's pong, Socket.IO's namespace connect).
  /// False when the message does not parse.
  bool parse(const char* data, size_t size, std::vector<event>& out,
             std::string& answer) const;

 private:
  protocol p_;
  uint64_t ack_every_;
};

} // namespace tether::bench
