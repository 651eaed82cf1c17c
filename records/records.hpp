#pragma once

// A session and a room as plain values: what the store saves, what a
// migration ships, and what an actor is restored from. Every record has an
// `inspect()`, so CAF serializes it like any message.

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <caf/meta/type_name.hpp>

#include "tether/codec/value.hpp"

namespace tether::records {

/// A frame a line keeps until the client acknowledges it, encoded as the
/// client sees it (SEQ with the inner frame).
struct kept_frame {
  uint64_t seq = 0;
  /// Counted against `max_outbox_frames` (refusals are not).
  bool counted = true;
  /// Whether this frame is the final answer to request `request_id`: the
  /// exactly-once record is the kept answers.
  bool answers = false;
  uint64_t request_id = 0;
  std::string bytes;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, kept_frame& x) {
  return f(caf::meta::type_name("tether.kept_frame"), x.seq, x.counted,
           x.answers, x.request_id, x.bytes);
}

/// One line (the contract's stream) of a session.
struct line_record {
  /// The line's number in its session, named by its tokens.
  uint64_t number = 0;
  /// The generation of its tokens: only the newest resumes.
  uint64_t generation = 0;
  /// The seq its next frame gets.
  uint64_t next_seq = 1;
  /// The last seq the client acknowledged.
  uint64_t acked = 0;
  /// Frames with a seq below this may have reached the client: a node
  /// restarted after a crash never numbers below it (see docs/durability.md).
  uint64_t seq_limit = 1;
  /// Frames were dropped: a resume can only get `resume_gap`.
  bool broken = false;
  /// Unix milliseconds since when no connection is attached; 0 while one is.
  uint64_t detached_since_ms = 0;
  /// The frames not yet acknowledged, oldest first.
  std::vector<kept_frame> kept;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, line_record& x) {
  return f(caf::meta::type_name("tether.line_record"), x.number, x.generation,
           x.next_seq, x.acked, x.seq_limit, x.broken, x.detached_since_ms,
           x.kept);
}

/// A session: identity, info, rooms and lines.
struct session_record {
  std::string id;
  std::string key;
  /// The session's `info` map, encoded.
  codec::value info = codec::value::empty_map();
  /// The number its next line gets.
  uint64_t next_line = 1;
  /// Unix milliseconds since when no line has a connection (its TTL runs);
  /// 0 while one has.
  uint64_t idle_since_ms = 0;
  /// The rooms it is a member of (the rooms' own records are the truth).
  std::vector<std::string> rooms;
  std::vector<line_record> lines;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, session_record& x) {
  return f(caf::meta::type_name("tether.session_record"), x.id, x.key, x.info,
           x.next_line, x.idle_since_ms, x.rooms, x.lines);
}

/// A member of a room.
struct room_member_record {
  std::string id;
  /// The member's session info, as it joined.
  codec::value info;
  /// Its place in the join order (increasing, with gaps where members left).
  uint64_t position = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, room_member_record& x) {
  return f(caf::meta::type_name("tether.room_member_record"), x.id, x.info,
           x.position);
}

/// A room: members in join order, owner, properties, type and TTL.
struct room_record {
  std::string id;
  std::string type;
  /// The owner's member id; empty while the room is empty.
  std::string owner;
  uint64_t max_members = 0;
  uint64_t ttl_s = 0;
  bool presence = true;
  std::map<std::string, codec::value> props;
  /// Oldest first.
  std::vector<room_member_record> members;
  /// Unix milliseconds since when the room is empty (its TTL runs); 0 while
  /// it has members.
  uint64_t empty_since_ms = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, room_record& x) {
  return f(caf::meta::type_name("tether.room_record"), x.id, x.type, x.owner,
           x.max_members, x.ttl_s, x.presence, x.props, x.members,
           x.empty_since_ms);
}

} // namespace tether::records
