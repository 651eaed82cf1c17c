#pragma once

// What actors tell the store, one change at a time; a batch applies them in
// order in one transaction. Node-local: changes never cross nodes (records
// do), so they are plain structs in a std::variant.

#include <cstdint>
#include <memory>
#include <string>
#include <variant>
#include <vector>

#include "tether/records/records.hpp"

namespace tether::store {

/// A new session (or a new next line number).
struct put_session {
  std::string id;
  std::string key;
  codec::value info;
  uint64_t next_line = 1;
};

/// A session turned idle (`since_ms` > 0, Unix ms) or busy (0).
struct session_idle {
  std::string id;
  uint64_t since_ms = 0;
};

/// A session closed or expired: it goes with its lines and frames.
struct drop_session {
  std::string id;
};

/// A line's state but its frames: made, attached, detached, reserved.
struct put_line {
  std::string session;
  uint64_t number = 0;
  uint64_t generation = 0;
  uint64_t acked = 0;
  uint64_t seq_limit = 1;
  bool broken = false;
  uint64_t detached_since_ms = 0;
};

/// A frame kept by a line. The bytes are shared with the line's outbox.
struct keep_frame {
  std::string session;
  uint64_t line = 0;
  uint64_t seq = 0;
  bool counted = true;
  bool answers = false;
  uint64_t request_id = 0;
  std::shared_ptr<const std::string> bytes;
};

/// The client acknowledged every frame up to `seq`: they go.
struct ack_frames {
  std::string session;
  uint64_t line = 0;
  uint64_t seq = 0;
};

/// A line expired, or overflowed: its frames go (`broken` lines keep their
/// row, see put_line).
struct drop_frames {
  std::string session;
  uint64_t line = 0;
};

/// A line expired: it goes with its frames.
struct drop_line {
  std::string session;
  uint64_t line = 0;
};

/// A room's own fields (members and props are changed one by one).
struct put_room {
  std::string id;
  std::string type;
  std::string owner;
  uint64_t max_members = 0;
  uint64_t ttl_s = 0;
  bool presence = true;
  uint64_t empty_since_ms = 0;
};

/// A member joined (`position` is its place in the join order).
struct add_member {
  std::string room;
  records::room_member_record member;
};

/// A member left, was kicked, or its session ended.
struct remove_member {
  std::string room;
  std::string member;
};

/// A property set; a nil value removes it.
struct set_prop {
  std::string room;
  std::string key;
  codec::value value;
};

/// A room deleted or expired: it goes with its members and props.
struct drop_room {
  std::string id;
};

using change =
    std::variant<put_session, session_idle, drop_session, put_line, keep_frame,
                 ack_frames, drop_frames, drop_line, put_room, add_member,
                 remove_member, set_prop, drop_room>;

} // namespace tether::store
