#pragma once

// Every typed actor interface of Tether in one place: reading this file is
// reading the architecture. Each handler has a one-line comment.

#include <string>
#include <vector>

#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>

#include "tether/actors/atoms.hpp"
#include "tether/actors/messages.hpp"
#include "tether/actors/session_messages.hpp"
#include "tether/actors/store/store_messages.hpp"
#include "tether/codec/frames.hpp"

namespace tether {

struct attach_request;
struct attach_result;
struct request_context;

/// An op handler (built-in `sys.*` or the user's own), bound to op names.
using behavior_actor = caf::typed_actor<
    // A REQUEST: answer through `responder{ctx}`.
    caf::reacts_to<invoke_atom, request_context, codec::value>,
    // A STREAM opened with its first part.
    caf::reacts_to<open_atom, request_context, codec::value>,
    // A further STREAM_PART of an open stream; `bool` is `last`.
    caf::reacts_to<part_atom, request_context, codec::value, bool>,
    // The client cancelled, or its connection is gone: stop, answer nothing.
    caf::reacts_to<cancel_atom, request_context>,
    // A SIGNAL from the client named like the op: never answered.
    caf::reacts_to<signal_atom, request_context, codec::value>>;

/// Decides whether a HELLO's `auth` map lets the client in (else CLOSE 8).
using authenticator_actor = caf::typed_actor<
    // The `auth` map of HELLO: the verified claims, or why not.
    caf::replies_to<auth_atom, codec::map_value>::with<auth_result>>;

/// The client as behaviors see it: where answers, pushes and calls to the
/// client go. A sessionless connection is one; a session's line another.
using client_actor = caf::typed_actor<
    // Answers of behaviors, sent to the client as the frames they are.
    caf::reacts_to<codec::reply>, caf::reacts_to<codec::error>,
    caf::reacts_to<codec::retry>, caf::reacts_to<codec::result_part>,
    // A push to the client, not tied to a request.
    caf::reacts_to<codec::signal>,
    // A behavior asks the client to perform an op; the client's answer.
    caf::replies_to<codec::request>::with<client_answer>,
    // A paced sender that has `uint64_t` frames left asks how many it may
    // send now (0: stop, the client is gone); answered once they fit the
    // client's outbox.
    caf::replies_to<credit_atom, uint64_t>::with<uint64_t>>;

/// A client actor that writes through an `outlet` (actors/outlet/): the
/// connection and the session's line. These are the outlet's own messages.
using outlet_actor = client_actor::extend<
    // Writes what the last handlers batched as one WebSocket message.
    caf::reacts_to<flush_atom>,
    // Timer: credit has waited since progress number `uint64_t`; a client
    // that made no progress for three heartbeats gets CLOSE 7.
    caf::reacts_to<stall_atom, uint64_t>,
    // Stop taking requests, finish the open ones, then CLOSE 5.
    caf::reacts_to<drain_atom>,
    // The drain's grace period ran out: open requests fail.
    caf::reacts_to<grace_atom>>;

/// One client connection: owns the WebSocket (through its `bridge`) and
/// speaks the wire contract.
using connection_actor = outlet_actor::extend<
    // A whole WebSocket message read by the transport.
    caf::reacts_to<inbound_message>,
    // The client sent a message over `max_message`.
    caf::reacts_to<too_big_atom>,
    // The transport lost the socket; `std::string` says why.
    caf::reacts_to<closed_atom, std::string>,
    // The transport's write queue drained below the low-water mark.
    caf::reacts_to<drained_atom>,
    // Timer: handshake timeout, heartbeats, silence timeout.
    caf::reacts_to<tick_atom>,
    // The line let this connection go (its session was closed): it stays
    // open with no session.
    caf::reacts_to<released_atom>,
    // The line ends this connection with CLOSE `uint64_t` and its message
    // (2 invalid ACK, 5 drained, 6 replaced, 7 slow consumer).
    caf::reacts_to<close_atom, uint64_t, std::string>>;

/// The line of a session to one of its connections: the contract's
/// *stream*. Numbers (SEQ), keeps and replays the frames sent to that
/// connection, and runs its requests exactly once. Behaviors answer it as
/// they answer a connection.
using line_actor = outlet_actor::extend<
    // The frames the attached connection received for the line.
    caf::reacts_to<client_frames>,
    // Attaches a connection; `bool` resume replays the frames after the
    // last `uint64_t` (last_seq) if the middle one is the current token
    // generation. Sends SESSION itself.
    caf::replies_to<attach_atom, attach_request, bool, uint64_t,
                    uint64_t>::with<attach_result>,
    // The connection is gone (ignored unless it is the attached one).
    caf::reacts_to<detach_atom, connection_actor>,
    // SESSION_CLOSE on this line: REPLY {} to that request id, then ask
    // the session to close; answered once SESSION_CLOSED is out.
    caf::replies_to<end_atom, uint64_t>::with<bool>,
    // The session was closed: SESSION_CLOSED, then let the connection go.
    caf::reacts_to<closed_atom>,
    // An encoded frame from elsewhere (a room) to number and send.
    caf::reacts_to<push_atom, encoded_frame>,
    // Timer: a line detached for the session TTL expires.
    caf::reacts_to<tick_atom>,
    // Timer: a line that numbered nothing for a while gives the store back
    // the seqs it reserved (`uint64_t`: its next seq when set).
    caf::reacts_to<settle_atom, uint64_t>>;

/// One room: members in join order, owner, properties. Serves the room.*
/// ops for itself, as the single writer of its state.
using room_actor = caf::typed_actor<
    // A room.* op for this room (the service routed it here).
    caf::reacts_to<invoke_atom, request_context, codec::value>,
    // Timer: the room is deleted if it is still empty (`uint64_t` is the
    // emptiness it was set for).
    caf::reacts_to<expire_atom, uint64_t>,
    // Timer: the room type's periodic tick, passed to its logic.
    caf::reacts_to<tick_atom>,
    // The room's logic broadcasts ROOM_MESSAGE `name` to every member, with
    // an empty `from`: the node speaks.
    caf::reacts_to<broadcast_atom, std::string, codec::value>,
    // Member `std::string`'s session has no connection left (true) or has
    // one again (false): room.away or room.back to the others.
    caf::reacts_to<idle_atom, std::string, bool>>;

/// A connection that asks to be attached to a line, and the id of the
/// SESSION_* frame that asked.
struct attach_request {
  connection_actor connection;
  /// The connection's id: its bridge in the node's `bridge_table`.
  std::string conn_id;
  uint64_t request_id = 0;
  /// Verified claims of the connection's authentication (a map or nil).
  codec::value claims;
};

template <class Inspector> auto inspect(Inspector& f, attach_request& x) {
  return f(caf::meta::type_name("attach_request"), x.connection, x.conn_id,
           x.request_id, x.claims);
}

/// How an attach ended: a line, or an ERROR code for the client.
struct attach_result {
  std::string error_code;
  std::string error_message;
  /// The line now attached, when no error.
  line_actor line;
};

template <class Inspector> auto inspect(Inspector& f, attach_result& x) {
  return f(caf::meta::type_name("attach_result"), x.error_code, x.error_message,
           x.line);
}

/// An attach refused with ERROR `code`.
inline attach_result attach_refused(std::string code, std::string message) {
  return attach_result{std::move(code), std::move(message), line_actor{}};
}

/// A session: identity, info and lines. Lives on without connections
/// until its TTL has passed since the last one left.
using session_actor = caf::typed_actor<
    // SESSION_OPEN or SESSION_ATTACH: a new line for the connection.
    caf::replies_to<attach_atom, attach_request>::with<attach_result>,
    // SESSION_RESUME with verified claims: line, generation, last_seq.
    caf::replies_to<resume_atom, attach_request, uint64_t, uint64_t,
                    uint64_t>::with<attach_result>,
    // Deletes the session: every line gets SESSION_CLOSED.
    caf::reacts_to<close_atom>,
    // A line gained a connection.
    caf::reacts_to<attached_atom, line_actor>,
    // A line lost its connection.
    caf::reacts_to<detached_atom, line_actor>,
    // The supervisor's sweep found the session expired.
    caf::reacts_to<expire_atom>,
    // An encoded frame (room traffic) for every line of the session.
    caf::reacts_to<push_atom, encoded_frame>,
    // The session became a member of room `std::string`: it tells the room
    // when it has no connection left and when it has one again.
    caf::reacts_to<joined_atom, std::string, room_actor>,
    // The session is no member of room `std::string` any more.
    caf::reacts_to<left_atom, std::string>>;

// -- what travels with every request (names actors, so it follows them) --

/// Who asked for what: travels with every request a behavior gets, so the
/// behavior can answer (see `responder`) without knowing who the caller is.
struct request_context {
  /// Who answers the client: its connection or its session's line.
  client_actor origin;
  /// The connection's id, as WELCOME named it.
  std::string conn;
  /// The request id chosen by the client.
  uint64_t id = 0;
  /// The op the client named.
  std::string op;
  /// The requester's session: its public id (empty without a session),
  /// its actor and its info map.
  std::string session_id;
  session_actor session;
  codec::value session_info;
};

template <class Inspector> auto inspect(Inspector& f, request_context& x) {
  return f(caf::meta::type_name("request_context"), x.origin, x.conn, x.id,
           x.op, x.session_id, x.session, x.session_info);
}

/// The server-side logic of a room type (`runtime::add_room_type`): sees
/// who joins and leaves, may refuse a join, and gets a periodic tick.
using room_logic_actor = caf::typed_actor<
    // May the session (member id, info) join the room (id)? false answers
    // the join with ERROR `forbidden`.
    caf::replies_to<join_atom, room_actor, std::string, std::string,
                    codec::value>::with<bool>,
    // A member (id) joined the room (id).
    caf::reacts_to<joined_atom, room_actor, std::string, std::string>,
    // A member (id) left the room (id), or was kicked, or its session ended.
    caf::reacts_to<left_atom, room_actor, std::string, std::string>,
    // The room's tick.
    caf::reacts_to<tick_atom, room_actor, std::string>>;

/// The rooms of a node: `room.create`, routing of the other room.* ops to
/// their room, and a count for `sys.info`. Bound to every room.* op name.
using room_service_actor = behavior_actor::extend<
    // How many rooms live.
    caf::replies_to<stats_atom>::with<uint64_t>,
    // A room made by the node itself (type, props): no members yet, so its
    // TTL runs; the first to join owns it. Answers the room id.
    caf::replies_to<create_atom, std::string, codec::value>::with<std::string>>;

/// Creates sessions, finds them by key and by token, sweeps expired ones
/// and cleans up after any that fail.
using session_supervisor_actor = caf::typed_actor<
    // SESSION_OPEN with the client's info.
    caf::replies_to<open_atom, attach_request,
                    codec::map_value>::with<attach_result>,
    // SESSION_ATTACH with a session key.
    caf::replies_to<attach_atom, attach_request,
                    std::string>::with<attach_result>,
    // SESSION_RESUME with a stream token and last_seq.
    caf::replies_to<resume_atom, attach_request, std::string,
                    uint64_t>::with<attach_result>,
    // A session has no connection left (true) or has one again (false).
    caf::reacts_to<idle_atom, session_actor, bool>,
    // The session actor of a public session id (invalid if none).
    caf::replies_to<get_atom, std::string>::with<session_actor>,
    // The session actors of these ids, in order (invalid where none).
    caf::replies_to<get_atom,
                    std::vector<std::string>>::with<std::vector<session_actor>>,
    // How many sessions live, for `sys.info`.
    caf::replies_to<stats_atom>::with<uint64_t>,
    // Timer: the TTL sweep.
    caf::reacts_to<tick_atom>>;

/// The store's own thread: the only code that touches the store file.
/// Applies one batch at a time.
using store_writer_actor = caf::typed_actor<
    // Commits the batch in one transaction: true, or the store's error.
    caf::replies_to<write_atom, store_batch>::with<bool>,
    // The node stops: marks the file closed cleanly.
    caf::replies_to<flush_atom>::with<bool>>;

/// Takes every change of the node's sessions and rooms and commits them in
/// groups through its writer, so that no actor of the message path waits
/// for the disk (actors/store/).
using store_actor = caf::typed_actor<
    // A change to save; changes are applied in the order they were sent.
    caf::reacts_to<store::change>,
    // A line's raised `seq_limit` (a put_line): answered once committed,
    // or once the store failed (the node serves on without it).
    caf::replies_to<reserve_atom, store::change>::with<bool>,
    // Commits what waits and marks the store clean: the node stops.
    caf::replies_to<flush_atom>::with<bool>,
    // Figures for `sys.info`.
    caf::replies_to<stats_atom>::with<store_stats>,
    // Timer: the group commit is due.
    caf::reacts_to<tick_atom>>;

/// Logs a one-line summary of the node every minute.
using reporter_actor = caf::typed_actor<
    // Timer: the summary is due.
    caf::reacts_to<tick_atom>>;

/// The node: knows its connections, reports statistics, runs the drain.
using node_actor = caf::typed_actor<
    // A new connection to watch (counted, drained at shutdown).
    caf::reacts_to<joined_atom, connection_actor>,
    // Statistics for `sys.info`.
    caf::replies_to<stats_atom>::with<node_stats>,
    // Drains every connection; answers when all are gone.
    caf::replies_to<drain_atom>::with<bool>>;

} // namespace tether
