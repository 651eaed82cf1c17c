#pragma once

#include "tether/store/changes.hpp"
#include "tether/store/sqlite_handles.hpp"

namespace tether::store {

/// Writes one change with the statements of its kind, prepared once. Runs
/// inside the caller's transaction.
class change_writer {
 public:
  static status prepare(sqlite3* db, change_writer& out);

  status write(const change& x);

 private:
  status write(const put_session& x);
  status write(const session_idle& x);
  status write(const drop_session& x);
  status write(const put_line& x);
  status write(const keep_frame& x);
  status write(const ack_frames& x);
  status write(const drop_frames& x);
  status write(const drop_line& x);
  status write(const put_room& x);
  status write(const add_member& x);
  status write(const remove_member& x);
  status write(const set_prop& x);
  status write(const drop_room& x);

  statement put_session_;
  statement set_session_idle_;
  statement delete_session_frames_;
  statement delete_session_lines_;
  statement delete_session_;
  statement put_line_;
  statement put_frame_;
  statement delete_acked_frames_;
  statement raise_acked_;
  statement delete_line_frames_;
  statement delete_line_;
  statement put_room_;
  statement put_member_;
  statement delete_member_;
  statement put_prop_;
  statement delete_prop_;
  statement delete_room_members_;
  statement delete_room_props_;
  statement delete_room_;
};

} // namespace tether::store
