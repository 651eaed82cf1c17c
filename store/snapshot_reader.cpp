#include "tether/store/snapshot_reader.hpp"

#include <algorithm>
#include <initializer_list>
#include <map>
#include <string>
#include <utility>

namespace tether::store {

namespace {

/// The seq after everything the file records of a line: its acks and its
/// kept frames. After a crash frames up to `seq_limit` may also have
/// reached the client; the line itself moves on to it then (and breaks,
/// see line_state::restore), so it is not folded in here.
uint64_t next_seq_of(const records::line_record& line) {
  auto next = line.acked + 1;
  if (!line.kept.empty())
    next = std::max(next, line.kept.back().seq + 1);
  return next;
}

/// A stored codec value; an empty blob (no value at all, never written by
/// us) reads as nil rather than as bytes that are not MessagePack.
codec::value value_of(std::string blob) {
  if (blob.empty())
    return codec::value{};
  return codec::value::from_encoded(std::move(blob));
}

} // namespace

status snapshot_reader::prepare(sqlite3* db, snapshot_reader& out) {
  // Every query is ordered so that rows of one owner come together and
  // frames oldest first, members in join order.
  std::initializer_list<std::pair<statement*, const char*>> all = {
      {&out.sessions_,
       "SELECT id, key, info, next_line, idle_since_ms FROM sessions "
       "ORDER BY id"},
      {&out.lines_,
       "SELECT session, number, generation, acked, seq_limit, broken, "
       "detached_since_ms FROM lines ORDER BY session, number"},
      {&out.frames_,
       "SELECT session, line, seq, counted, answers, request_id, bytes "
       "FROM frames ORDER BY session, line, seq"},
      {&out.rooms_,
       "SELECT id, type, owner, max_members, ttl_s, presence, empty_since_ms "
       "FROM rooms ORDER BY id"},
      {&out.members_, "SELECT room, member, info, position FROM room_members "
                      "ORDER BY room, position"},
      {&out.props_,
       "SELECT room, key, value FROM room_props ORDER BY room, key"},
  };
  for (auto [target, sql] : all)
    if (auto prepared = statement::prepare(db, sql, *target); prepared.failed())
      return prepared;
  return status::ok();
}

status snapshot_reader::read(snapshot& out) {
  if (auto sessions = read_sessions(out); sessions.failed())
    return sessions;
  if (auto rooms = read_rooms(out); rooms.failed())
    return rooms;
  // A session's rooms are the rooms listing it, in the rooms' order.
  std::map<std::string, records::session_record*> session_by_id;
  for (auto& session : out.sessions)
    session_by_id.emplace(session.id, &session);
  for (auto& room : out.rooms)
    for (auto& member : room.members)
      if (auto i = session_by_id.find(member.id); i != session_by_id.end())
        i->second->rooms.push_back(room.id);
  return status::ok();
}

status snapshot_reader::read_sessions(snapshot& out) {
  auto read = sessions_.for_each_row([&] {
    records::session_record x;
    x.id = sessions_.column_text(0);
    x.key = sessions_.column_text(1);
    x.info = value_of(sessions_.column_blob(2));
    x.next_line = sessions_.column_uint(3);
    x.idle_since_ms = sessions_.column_uint(4);
    out.sessions.push_back(std::move(x));
  });
  if (read.failed())
    return read;
  // Indexes, not pointers: the vectors are complete before any lookup.
  std::map<std::string, size_t> session_index;
  for (size_t i = 0; i < out.sessions.size(); ++i)
    session_index.emplace(out.sessions[i].id, i);
  // Rows of a session that is gone (never put, or a partial write by hand)
  // cannot be a record: they are skipped.
  read = lines_.for_each_row([&] {
    auto owner = session_index.find(lines_.column_text(0));
    if (owner == session_index.end())
      return;
    records::line_record x;
    x.number = lines_.column_uint(1);
    x.generation = lines_.column_uint(2);
    x.acked = lines_.column_uint(3);
    x.seq_limit = lines_.column_uint(4);
    x.broken = lines_.column_bool(5);
    x.detached_since_ms = lines_.column_uint(6);
    out.sessions[owner->second].lines.push_back(std::move(x));
  });
  if (read.failed())
    return read;
  std::map<std::pair<std::string, uint64_t>, records::line_record*> line_by_key;
  for (auto& session : out.sessions)
    for (auto& line : session.lines)
      line_by_key.emplace(std::pair{session.id, line.number}, &line);
  read = frames_.for_each_row([&] {
    auto owner = line_by_key.find(
        std::pair{frames_.column_text(0), frames_.column_uint(1)});
    if (owner == line_by_key.end())
      return;
    records::kept_frame x;
    x.seq = frames_.column_uint(2);
    x.counted = frames_.column_bool(3);
    x.answers = frames_.column_bool(4);
    x.request_id = frames_.column_uint(5);
    x.bytes = frames_.column_blob(6);
    owner->second->kept.push_back(std::move(x));
  });
  if (read.failed())
    return read;
  for (auto& session : out.sessions)
    for (auto& line : session.lines)
      line.next_seq = next_seq_of(line);
  return status::ok();
}

status snapshot_reader::read_rooms(snapshot& out) {
  auto read = rooms_.for_each_row([&] {
    records::room_record x;
    x.id = rooms_.column_text(0);
    x.type = rooms_.column_text(1);
    x.owner = rooms_.column_text(2);
    x.max_members = rooms_.column_uint(3);
    x.ttl_s = rooms_.column_uint(4);
    x.presence = rooms_.column_bool(5);
    x.empty_since_ms = rooms_.column_uint(6);
    out.rooms.push_back(std::move(x));
  });
  if (read.failed())
    return read;
  std::map<std::string, size_t> room_index;
  for (size_t i = 0; i < out.rooms.size(); ++i)
    room_index.emplace(out.rooms[i].id, i);
  read = members_.for_each_row([&] {
    auto owner = room_index.find(members_.column_text(0));
    if (owner == room_index.end())
      return;
    records::room_member_record x;
    x.id = members_.column_text(1);
    x.info = value_of(members_.column_blob(2));
    x.position = members_.column_uint(3);
    out.rooms[owner->second].members.push_back(std::move(x));
  });
  if (read.failed())
    return read;
  return props_.for_each_row([&] {
    auto owner = room_index.find(props_.column_text(0));
    if (owner == room_index.end())
      return;
    out.rooms[owner->second].props.emplace(props_.column_text(1),
                                           value_of(props_.column_blob(2)));
  });
}

} // namespace tether::store
