#include "tether/store/change_writer.hpp"

#include <initializer_list>
#include <string>
#include <utility>

namespace tether::store {

namespace {

/// Runs the statements in order, stopping at the first failure; the ones
/// left out are reset so that none keeps pointers into the change.
status execute_all(std::initializer_list<statement*> statements) {
  for (auto* x : statements)
    if (auto executed = x->execute(); executed.failed()) {
      for (auto* y : statements)
        y->reset();
      return executed;
    }
  return status::ok();
}

} // namespace

status change_writer::prepare(sqlite3* db, change_writer& out) {
  // put_session leaves idle_since_ms to session_idle; ack_frames compares
  // seqs as SQLite's int64, which holds any seq a line reaches.
  std::initializer_list<std::pair<statement*, const char*>> all = {
      {&out.put_session_,
       "INSERT INTO sessions (id, key, info, next_line, idle_since_ms) "
       "VALUES (?1, ?2, ?3, ?4, 0) ON CONFLICT (id) DO UPDATE SET "
       "key = excluded.key, info = excluded.info, "
       "next_line = excluded.next_line"},
      {&out.set_session_idle_,
       "UPDATE sessions SET idle_since_ms = ?2 WHERE id = ?1"},
      {&out.delete_session_frames_, "DELETE FROM frames WHERE session = ?1"},
      {&out.delete_session_lines_, "DELETE FROM lines WHERE session = ?1"},
      {&out.delete_session_, "DELETE FROM sessions WHERE id = ?1"},
      {&out.put_line_,
       "INSERT INTO lines (session, number, generation, acked, seq_limit, "
       "broken, detached_since_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) "
       "ON CONFLICT (session, number) DO UPDATE SET "
       "generation = excluded.generation, acked = excluded.acked, "
       "seq_limit = excluded.seq_limit, broken = excluded.broken, "
       "detached_since_ms = excluded.detached_since_ms"},
      {&out.put_frame_,
       "INSERT OR REPLACE INTO frames (session, line, seq, counted, answers, "
       "request_id, bytes) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"},
      {&out.delete_acked_frames_,
       "DELETE FROM frames WHERE session = ?1 AND line = ?2 AND seq <= ?3"},
      {&out.raise_acked_, "UPDATE lines SET acked = max(acked, ?3) "
                          "WHERE session = ?1 AND number = ?2"},
      {&out.delete_line_frames_,
       "DELETE FROM frames WHERE session = ?1 AND line = ?2"},
      {&out.delete_line_,
       "DELETE FROM lines WHERE session = ?1 AND number = ?2"},
      {&out.put_room_,
       "INSERT INTO rooms (id, type, owner, max_members, ttl_s, presence, "
       "empty_since_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) "
       "ON CONFLICT (id) DO UPDATE SET type = excluded.type, "
       "owner = excluded.owner, max_members = excluded.max_members, "
       "ttl_s = excluded.ttl_s, presence = excluded.presence, "
       "empty_since_ms = excluded.empty_since_ms"},
      {&out.put_member_,
       "INSERT OR REPLACE INTO room_members (room, member, info, position) "
       "VALUES (?1, ?2, ?3, ?4)"},
      {&out.delete_member_,
       "DELETE FROM room_members WHERE room = ?1 AND member = ?2"},
      {&out.put_prop_,
       "INSERT INTO room_props (room, key, value) VALUES (?1, ?2, ?3) "
       "ON CONFLICT (room, key) DO UPDATE SET value = excluded.value"},
      {&out.delete_prop_,
       "DELETE FROM room_props WHERE room = ?1 AND key = ?2"},
      {&out.delete_room_members_, "DELETE FROM room_members WHERE room = ?1"},
      {&out.delete_room_props_, "DELETE FROM room_props WHERE room = ?1"},
      {&out.delete_room_, "DELETE FROM rooms WHERE id = ?1"},
  };
  for (auto [target, sql] : all)
    if (auto prepared = statement::prepare(db, sql, *target); prepared.failed())
      return prepared;
  return status::ok();
}

status change_writer::write(const change& x) {
  return std::visit([this](const auto& kind) { return write(kind); }, x);
}

status change_writer::write(const put_session& x) {
  put_session_.bind_text(1, x.id);
  put_session_.bind_text(2, x.key);
  put_session_.bind_blob(3, x.info.encoded());
  put_session_.bind_uint(4, x.next_line);
  return put_session_.execute();
}

status change_writer::write(const session_idle& x) {
  set_session_idle_.bind_text(1, x.id);
  set_session_idle_.bind_uint(2, x.since_ms);
  return set_session_idle_.execute();
}

status change_writer::write(const drop_session& x) {
  for (auto* s :
       {&delete_session_frames_, &delete_session_lines_, &delete_session_})
    s->bind_text(1, x.id);
  return execute_all(
      {&delete_session_frames_, &delete_session_lines_, &delete_session_});
}

status change_writer::write(const put_line& x) {
  put_line_.bind_text(1, x.session);
  put_line_.bind_uint(2, x.number);
  put_line_.bind_uint(3, x.generation);
  put_line_.bind_uint(4, x.acked);
  put_line_.bind_uint(5, x.seq_limit);
  put_line_.bind_bool(6, x.broken);
  put_line_.bind_uint(7, x.detached_since_ms);
  return put_line_.execute();
}

status change_writer::write(const keep_frame& x) {
  static const std::string no_bytes;
  put_frame_.bind_text(1, x.session);
  put_frame_.bind_uint(2, x.line);
  put_frame_.bind_uint(3, x.seq);
  put_frame_.bind_bool(4, x.counted);
  put_frame_.bind_bool(5, x.answers);
  put_frame_.bind_uint(6, x.request_id);
  put_frame_.bind_blob(7, x.bytes ? *x.bytes : no_bytes);
  return put_frame_.execute();
}

status change_writer::write(const ack_frames& x) {
  for (auto* s : {&delete_acked_frames_, &raise_acked_}) {
    s->bind_text(1, x.session);
    s->bind_uint(2, x.line);
    s->bind_uint(3, x.seq);
  }
  return execute_all({&delete_acked_frames_, &raise_acked_});
}

status change_writer::write(const drop_frames& x) {
  delete_line_frames_.bind_text(1, x.session);
  delete_line_frames_.bind_uint(2, x.line);
  return delete_line_frames_.execute();
}

status change_writer::write(const drop_line& x) {
  for (auto* s : {&delete_line_frames_, &delete_line_}) {
    s->bind_text(1, x.session);
    s->bind_uint(2, x.line);
  }
  return execute_all({&delete_line_frames_, &delete_line_});
}

status change_writer::write(const put_room& x) {
  put_room_.bind_text(1, x.id);
  put_room_.bind_text(2, x.type);
  put_room_.bind_text(3, x.owner);
  put_room_.bind_uint(4, x.max_members);
  put_room_.bind_uint(5, x.ttl_s);
  put_room_.bind_bool(6, x.presence);
  put_room_.bind_uint(7, x.empty_since_ms);
  return put_room_.execute();
}

status change_writer::write(const add_member& x) {
  put_member_.bind_text(1, x.room);
  put_member_.bind_text(2, x.member.id);
  put_member_.bind_blob(3, x.member.info.encoded());
  put_member_.bind_uint(4, x.member.position);
  return put_member_.execute();
}

status change_writer::write(const remove_member& x) {
  delete_member_.bind_text(1, x.room);
  delete_member_.bind_text(2, x.member);
  return delete_member_.execute();
}

status change_writer::write(const set_prop& x) {
  if (x.value.is_nil()) {
    delete_prop_.bind_text(1, x.room);
    delete_prop_.bind_text(2, x.key);
    return delete_prop_.execute();
  }
  put_prop_.bind_text(1, x.room);
  put_prop_.bind_text(2, x.key);
  put_prop_.bind_blob(3, x.value.encoded());
  return put_prop_.execute();
}

status change_writer::write(const drop_room& x) {
  for (auto* s : {&delete_room_members_, &delete_room_props_, &delete_room_})
    s->bind_text(1, x.id);
  return execute_all(
      {&delete_room_members_, &delete_room_props_, &delete_room_});
}

} // namespace tether::store
