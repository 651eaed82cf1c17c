#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace tether::config {

/// The limits and timings of the wire contract a node enforces. Each default
/// says why it is what it is; WELCOME tells clients the ones in force.
struct limits {
  /// Largest WebSocket message accepted, in bytes: room for a large payload
  /// while one message cannot tie up much memory.
  uint64_t max_message = 1 << 20;
  /// WebSocket frames (fragments) one message may arrive in, counted as the
  /// socket's reads of it; more: CLOSE 4, as for too many bytes. A 1 MiB
  /// message still passes in pieces of 256 bytes (a slow link delivers
  /// more at a time); 100,000 fragments of a few bytes cost a read each.
  uint64_t max_fragments = 4096;
  /// Frames one message (a batch) may carry; more: CLOSE 4. A client has
  /// at most max_inflight (128) requests open, so a batch of everything it
  /// has to say fits 8 times over; a 1 MiB message of 4-byte frames would
  /// hold 262,144, each decoded (about 100 bytes) before the first is done.
  uint64_t max_batch_frames = 1024;
  /// Requests a client may have open at once: enough to pipeline over a
  /// high-latency link, few enough that one client cannot monopolize a node.
  uint64_t max_inflight = 128;
  /// Streamed requests open at once per connection (uploads, downloads).
  uint64_t max_streams = 16;
  /// How long a session outlives its last connection, in seconds: covers a
  /// phone switching networks or a laptop waking up.
  uint64_t session_ttl_s = 120;
  /// A client acknowledges at least every this many frames.
  uint64_t ack_every = 64;
  /// Heartbeat interval: well under common proxy idle timeouts (60 s).
  uint64_t heartbeat_ms = 15000;
  /// Time a new connection has to send HELLO.
  uint64_t handshake_timeout_ms = 10000;
  /// Bytes a connection may have queued for a client that does not read
  /// before it is closed as a slow consumer (CLOSE 7).
  uint64_t max_outbox_bytes = 8 << 20;
  /// Connections (streams) attached to one session at once: tabs and
  /// devices of one user, not a broadcast channel.
  uint64_t max_connections = 10;
  /// Bytes all streams of the node keep unacknowledged, together (0: no
  /// limit). Each is bounded by max_outbox_bytes, but a thousand slow
  /// readers would hold 8 GiB; past this, a stream that is behind (over
  /// lossy_after frames or an eighth of max_outbox_bytes) is a slow
  /// consumer. 1 GiB: room for ~100 streams at their full outbox while
  /// healthy ones (a few ack_every frames each) never come near it.
  uint64_t max_kept_bytes = uint64_t{1} << 30;
  /// Frames a stream keeps unacknowledged before its connection is closed
  /// as a slow consumer (CLOSE 7); bytes are bounded by max_outbox_bytes.
  uint64_t max_outbox_frames = 10000;
  /// Frames a stream may keep unacknowledged and still get `drop` room
  /// messages (beyond: skipped, never numbered). A tenth of
  /// max_outbox_frames: a reader in good health stays within a few
  /// `ack_every` (64) of the newest frame, so 1,000 behind is seconds late,
  /// where a cursor is worthless; the other nine tenths stay for the `keep`
  /// traffic a lagging member must still get before CLOSE 7.
  uint64_t lossy_after = 1000;
  /// Bytes at which a batch is written without waiting further.
  uint64_t batch_max_bytes = 64 * 1024;
  /// Lifetime of a stream token: a connection older than this cannot be
  /// resumed and opens a new stream instead.
  uint64_t token_ttl_s = 86400;
  /// Members a room may have (its `max_members` default and ceiling): a
  /// stadium-sized broadcast room; one broadcast to all is still one
  /// encoding. Its real bound is the node's descriptors and memory.
  uint64_t room_max_members = 50000;
  /// Seconds an empty room lives on (its `ttl_s` default), so members who
  /// drop for a moment find it again.
  uint64_t room_ttl_s = 60;
  /// Longest `ttl_s` a room may ask for: an empty room kept longer is a
  /// leak more than a feature (30 days).
  uint64_t room_max_ttl_s = 30 * 86400;
  /// Rooms a node holds at once: each is an actor and a row in the store,
  /// so one client's room.create loop must not take the node's memory.
  uint64_t max_rooms = 100000;
  /// Rooms one session may have made that still exist: a chat user makes a
  /// few, a game lobby a few dozen; a loop of room.create gets ERROR
  /// forbidden long before it fills the node.
  uint64_t max_rooms_per_session = 1000;
  /// SIGNALs one sys.push may ask for: enough to drive a stream past its
  /// outbox limits in a test or benchmark; without a bound one request
  /// could push for ever.
  uint64_t push_max_count = 1000000;
  /// SESSION_ATTACH and SESSION_RESUME a connection may have refused as
  /// not found before it is closed with CLOSE 8: a client that lost its
  /// session needs one or two, one that guesses keys or tokens needs
  /// thousands.
  uint64_t max_session_misses = 10;
  /// Properties a room may hold: shared state for its members, not a
  /// database.
  uint64_t room_max_props = 1000;
  /// Bytes a room's properties may take (keys and encoded values): every
  /// room.join and room.info answer carries them all, and must stay well
  /// under max_message with the member list beside them.
  uint64_t room_max_props_bytes = 256 << 10;
  /// Seconds an invite is valid (its `ttl_s` default).
  uint64_t invite_ttl_s = 60;
  /// Requests (and streams) a connection's stream may start per second,
  /// and how many at once (a token bucket): over it, RETRY `rate_limit`
  /// with the wait until the next token. 0: no limit (the default; the
  /// contract has none on by default).
  uint64_t request_rate = 0;
  uint64_t request_burst = 0;
  /// The same for all the streams of one session together (its tabs and
  /// devices on this node). 0: no limit.
  uint64_t session_request_rate = 0;
  uint64_t session_request_burst = 0;
  /// Wait suggested in RETRY to a client over its limits: long enough for a
  /// few requests to finish.
  uint64_t retry_after_ms = 50;
  /// Time open requests get to finish when the node shuts down.
  uint64_t shutdown_grace_ms = 5000;
};

} // namespace tether::config
