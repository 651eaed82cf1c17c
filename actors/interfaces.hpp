#pragma once

// Every typed actor interface of Tether in one place: reading this file is
// reading the architecture. Each handler has a one-line comment.

#include <memory>
#include <string>
#include <vector>

#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>

#include "tether/actors/atoms.hpp"
#include "tether/actors/cluster/cluster_messages.hpp"
#include "tether/actors/messages.hpp"
#include "tether/actors/session_messages.hpp"
#include "tether/actors/store/store_messages.hpp"
#include "tether/codec/frames.hpp"
#include "tether/records/records.hpp"
#include "tether/transport/http_api.hpp"

namespace tether {

struct attach_request;
struct attach_result;
struct request_context;
struct relay_member;
struct member_moved;
struct room_handover;
struct cluster_peers;

struct node_services;
/// What a node offers the others (defined below, with the services).
using node_services_ref = std::shared_ptr<const node_services>;

/// The cluster as a node's services see it: read-only, replaced whole at
/// every change of a member (actors/cluster/peers.hpp).
using peer_table = std::shared_ptr<const cluster_peers>;

/// A service that needs to know the other nodes: the session supervisor,
/// the rooms service and the relay all are.
using peer_listener_actor = caf::typed_actor<
    // The cluster changed.
    caf::reacts_to<peers_atom, peer_table>>;

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

/// One client connection: owns the WebSocket or the poll connection
/// (through its `bridge`) and speaks the wire contract.
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
    // A long poll of this connection arrived or ended: the client is
    // there, as a heartbeat of its own would say.
    caf::reacts_to<polled_atom>,
    // The line let this connection go (its session was closed): it stays
    // open with no session.
    caf::reacts_to<released_atom>,
    // The line ends this connection with CLOSE `uint64_t`, its message and
    // its redirect (2 invalid ACK, 5 drained or moved, 6 replaced, 7 slow
    // consumer).
    caf::reacts_to<close_atom, uint64_t, std::string, std::string>,
    // The node drains into its cluster: as `drain_atom`, and CLOSE 5 sends
    // a client without a session to this URL.
    caf::reacts_to<drain_atom, std::string>>;

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
    // An encoded frame from elsewhere (a room) to number and send, as its
    // delivery class says: skipped (`drop`) when the line is more than
    // `lossy_after` frames behind, or in place of a waiting one (`latest`).
    caf::reacts_to<push_atom, encoded_frame>,
    // The socket's write queue drained (passed on by the connection): the
    // frames that waited for it are written now.
    caf::reacts_to<drained_atom>,
    // Timer: a line detached for the session TTL expires.
    caf::reacts_to<tick_atom>,
    // Timer: a line that numbered nothing for a while gives the store back
    // the seqs it reserved (`uint64_t`: its next seq when set).
    caf::reacts_to<settle_atom, uint64_t>,
    // The session moves to another node: take no new request (RETRY
    // shutdown), let the open ones finish, then answer the line's record;
    // from then on the line numbers nothing.
    caf::replies_to<freeze_atom>::with<records::line_record>,
    // The move is done: CLOSE 5 with the redirect to the new node's URL,
    // then, without touching the store, pass on for a while what behaviors
    // still send here (SIGNALs after their REPLY, their credit requests) to
    // the line of the same number of the session's new actor (`caf::actor`:
    // a session_actor, declared after this interface).
    caf::reacts_to<moved_atom, std::string, caf::actor>,
    // The move failed: serve on as before.
    caf::reacts_to<thaw_atom>,
    // Answered once the store committed what the line saved so far (an
    // imported line: the move's first phase).
    caf::replies_to<saved_atom>::with<bool>>;

/// A frame of a room owned by another node, for the room's members on this
/// node: every one but `except`, or only those named in `only`.
struct room_fanout {
  std::string room;
  encoded_frame frame;
  bool everyone = true;
  std::string except;
  std::vector<std::string> only;
};

template <class Inspector> auto inspect(Inspector& f, room_fanout& x) {
  return f(caf::meta::type_name("room_fanout"), x.room, x.frame, x.everyone,
           x.except, x.only);
}

/// The node's end of rooms owned elsewhere: knows which local sessions are
/// members of which remote room, so a room's frame crosses to this node
/// once and fans out here (actors/rooms/room_relay.hpp).
using room_relay_actor = caf::typed_actor<
    // A session of this node joined or left a room of another node; sent by
    // the room, in its order.
    caf::reacts_to<relay_member>,
    // A room's frame for its members here.
    caf::reacts_to<room_fanout>,
    // Answered once every frame sent before has gone on to its sessions: a
    // room that moves sends from its new node only after that.
    caf::replies_to<flush_atom>::with<bool>,
    // The cluster changed: rooms of nodes gone down are forgotten.
    caf::reacts_to<peers_atom, peer_table>>;

/// One room: members in join order, owner, properties. Serves the room.*
/// ops for itself, as the single writer of its state.
using room_actor = caf::typed_actor<
    // A room.* op for this room (the service routed it here).
    caf::reacts_to<invoke_atom, request_context, codec::value>,
    // A room.* op from another node, whose requester's session is a member
    // there through that node's relay.
    caf::reacts_to<invoke_atom, request_context, codec::value,
                   room_relay_actor>,
    // Timer: the room is deleted if it is still empty (`uint64_t` is the
    // emptiness it was set for).
    caf::reacts_to<expire_atom, uint64_t>,
    // Timer: the room type's periodic tick, passed to its logic.
    caf::reacts_to<tick_atom>,
    // The room's logic broadcasts ROOM_MESSAGE `name` to every member, with
    // an empty `from`: the node speaks.
    caf::reacts_to<broadcast_atom, std::string, codec::value>,
    // The same in a delivery class (`room_delivery::drop()`, `latest(key)`).
    caf::reacts_to<broadcast_atom, std::string, codec::value, room_delivery>,
    // Member `std::string`'s session has no connection left (true) or has
    // one again (false): room.away or room.back to the others.
    caf::reacts_to<idle_atom, std::string, bool>,
    // A member's session moved to another node. Answered once the room
    // sends there: what it sent before went to the old actor.
    caf::replies_to<member_moved>::with<bool>,
    // Moves the room to the node of these services, named `std::string`: it
    // holds its ops, ships itself there, then forwards what still reaches
    // it. True once the other node has it; false if it stays.
    caf::replies_to<migrate_atom, node_services_ref, std::string>::with<bool>,
    // Answered once the store committed what the room saved so far (an
    // imported room: the move's first phase).
    caf::replies_to<saved_atom>::with<bool>,
    // The room as `room.info` answers it (the admin API's view).
    caf::replies_to<info_atom>::with<codec::value>,
    // Deletes the room as `room.delete` does, asked by the node itself (the
    // admin API): true once the members were told.
    caf::replies_to<close_atom>::with<bool>>;

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
  /// Another node's client URL: the session lives there (CLOSE 5 with
  /// this redirect).
  std::string redirect;
};

template <class Inspector> auto inspect(Inspector& f, attach_result& x) {
  return f(caf::meta::type_name("attach_result"), x.error_code, x.error_message,
           x.line, x.redirect);
}

/// An attach refused with ERROR `code`.
inline attach_result attach_refused(std::string code, std::string message) {
  return attach_result{std::move(code), std::move(message), line_actor{}, {}};
}

/// An attach the client must ask of another node: CLOSE 5 with `url`.
inline attach_result attach_elsewhere(std::string url) {
  return attach_result{{}, {}, line_actor{}, std::move(url)};
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
    caf::reacts_to<left_atom, std::string>,
    // Moves the session to the node with these services and client URL:
    // true once it lives there, and this actor has ended.
    caf::replies_to<migrate_atom, node_services_ref, std::string>::with<bool>,
    // Arrived from another node: the room traffic that reached the old
    // node after the move began, in order; what came here directly was
    // held until this.
    caf::reacts_to<handover_atom, std::vector<encoded_frame>>,
    // Moving: room `std::string` sends to the new actor from now on; this
    // comes after all it sent here, on the same path (directly, or through
    // this node's relay).
    caf::reacts_to<switched_atom, std::string>,
    // Answered once the store committed what the session and its lines
    // saved so far (an imported session: the move's first phase).
    caf::replies_to<saved_atom>::with<bool>,
    // Its line of number `uint64_t` (invalid if it has none): where the
    // line of that number on the node it came from passes things on.
    caf::replies_to<line_atom, uint64_t>::with<line_actor>,
    // The session as the admin API shows it: {session, node, streams,
    // rooms, info}.
    caf::replies_to<info_atom>::with<codec::value>,
    // A SIGNAL from the node to every line of the session (admin API).
    caf::reacts_to<signal_atom, codec::signal>>;

/// A session of the relay's node that joined (or left) a room of another.
struct relay_member {
  std::string room;
  std::string member;
  session_actor session;
  bool joined = true;
  /// A leave because the session moved: the relay tells the old session
  /// once it has passed on all the room sent before (`switched_atom`).
  bool moved = false;
};

template <class Inspector> auto inspect(Inspector& f, relay_member& x) {
  return f(caf::meta::type_name("relay_member"), x.room, x.member, x.session,
           x.joined, x.moved);
}

/// A room member's session that moved: now this actor, reached through
/// this relay (invalid, or the room's own node's: directly).
struct member_moved {
  std::string member;
  session_actor session;
  room_relay_actor relay;
};

template <class Inspector> auto inspect(Inspector& f, member_moved& x) {
  return f(caf::meta::type_name("member_moved"), x.member, x.session, x.relay);
}

/// A room as a value: its record and the session of each member (in the
/// record's order; invalid for one that is gone). From the store, or
/// migrated from another node with the relay that reaches each member
/// (`relays`, empty from the store).
struct room_handover {
  records::room_record record;
  std::vector<session_actor> sessions;
  std::vector<room_relay_actor> relays;
  /// Migrated: the new node's store has none of it yet.
  bool imported = false;
};

template <class Inspector> auto inspect(Inspector& f, room_handover& x) {
  return f(caf::meta::type_name("room_handover"), x.record, x.sessions,
           x.relays, x.imported);
}

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
    caf::replies_to<create_atom, std::string, codec::value>::with<std::string>,
    // A room.* op that another node's service routed here (the room lives
    // on this node, by its id), with that node's relay.
    caf::reacts_to<invoke_atom, request_context, codec::value,
                   room_relay_actor>,
    // The cluster changed: where rooms of other nodes are served.
    caf::reacts_to<peers_atom, peer_table>,
    // Moves room `id` to node `node`; `bool`: asked by another node (a room
    // not here is then not asked of the others). Answers the node.
    caf::replies_to<migrate_atom, std::string, std::string,
                    bool>::with<std::string>,
    // ROOM_MESSAGE `name` (second) with the payload to every member of
    // room `id` (first), from the node (empty `from`), in the delivery
    // class: the admin API's broadcast. A room not here is asked of the
    // other nodes unless `bool` says another node asked. True once sent to
    // the room.
    caf::replies_to<broadcast_atom, std::string, std::string, codec::value,
                    room_delivery, bool>::with<bool>,
    // A room migrated here from another node: it serves from here now.
    caf::replies_to<import_atom, room_handover>::with<room_actor>,
    // Room `std::string` moved to node `std::string`: ops for it go there
    // from now on. From the room that moved, its node tells every other.
    caf::reacts_to<moved_atom, std::string, std::string>,
    // The node drains: every room goes to one of the other nodes up, as
    // many to each. Answers how many moved.
    caf::replies_to<drain_atom>::with<uint64_t>,
    // A room made by the node from room.create's options ({type,
    // max_members, ttl_s, props}, all optional): answers its id, or an
    // error `invalid` saying which option is wrong.
    caf::replies_to<create_atom, codec::value>::with<std::string>,
    // Up to `uint64_t` rooms with ids after the first `std::string`, in id
    // order, each as `info_atom` answers it; of every node unless `bool`
    // says another node asked (the admin API's pages).
    caf::replies_to<list_atom, std::string, uint64_t,
                    bool>::with<std::vector<codec::value>>,
    // Room `std::string` as `room.info` answers it, plus its `node`,
    // wherever it lives (`bool`: another node asked); room_not_found.
    caf::replies_to<info_atom, std::string, bool>::with<codec::value>,
    // Deletes room `std::string` as `room.delete` does, wherever it lives
    // (`bool`: another node asked); room_not_found.
    caf::replies_to<close_atom, std::string, bool>::with<bool>>;

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
    caf::reacts_to<tick_atom>,
    // The cluster changed: where sessions of other nodes live.
    caf::reacts_to<peers_atom, peer_table>,
    // Another node asks where a session it names lives, by key (true) or
    // by id (false): the client URL of this node if it has it, or empty.
    caf::replies_to<locate_atom, std::string, bool>::with<std::string>,
    // Moves session `std::string` to node `std::string` (admin API, or a
    // behavior): answers the node it lives on once it does. A session of
    // another node is moved there, unless `bool` says this node was asked
    // by another one.
    caf::replies_to<migrate_atom, std::string, std::string,
                    bool>::with<std::string>,
    // A session migrated here: spawned from its record (saved in this
    // node's store) and answered with its new actor.
    caf::replies_to<import_atom, records::session_record>::with<session_actor>,
    // A session that moved away left these lines passing on, for a while,
    // what behaviors still send them: stopped with the supervisor.
    caf::reacts_to<moved_atom, std::vector<line_actor>>,
    // The node drains: every session goes to one of the other nodes up, as
    // many to each. Answers how many moved.
    caf::replies_to<drain_atom>::with<uint64_t>,
    // Up to `uint64_t` sessions with ids after the first `std::string`, in
    // id order, each as `info_atom` answers it; of every node unless `bool`
    // says another node asked (the admin API's pages).
    caf::replies_to<list_atom, std::string, uint64_t,
                    bool>::with<std::vector<codec::value>>,
    // Session `std::string` as the admin API shows it, wherever it lives
    // (`bool`: another node asked); session_not_found.
    caf::replies_to<info_atom, std::string, bool>::with<codec::value>,
    // Closes session `std::string` as SESSION_CLOSE does, wherever it
    // lives (`bool`: another node asked); session_not_found.
    caf::replies_to<close_atom, std::string, bool>::with<bool>,
    // SIGNAL to every stream of session `std::string`, wherever it lives
    // (`bool`: another node asked); session_not_found.
    caf::replies_to<signal_atom, std::string, codec::signal, bool>::with<bool>>;

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
    // Answered once every change sent before it (by anyone) is committed,
    // or the store failed: a migration's first phase ends there.
    caf::replies_to<saved_atom>::with<bool>,
    // Commits what waits and marks the store clean: the node stops.
    caf::replies_to<flush_atom>::with<bool>,
    // Figures for `sys.info`.
    caf::replies_to<stats_atom>::with<store_stats>,
    // Timer: the group commit is due.
    caf::reacts_to<tick_atom>>;

/// The admin API (`/api/v1/...`, JSON, bearer token), `/metrics` and
/// `/debug`: the operator's view of the node and its cluster, and the
/// operator's levers (actors/admin/).
using admin_actor = caf::typed_actor<
    // A request under `/api/`, or of `/metrics` or `/debug`: its answer.
    caf::replies_to<transport::http_request>::with<transport::http_response>>;

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
    // Drains every connection; a connection without a session is sent to
    // the client URL `std::string` (empty: none). Answers when all are gone.
    caf::replies_to<drain_atom, std::string>::with<bool>>;

/// What a node offers the other nodes of its cluster.
struct node_services {
  session_supervisor_actor sessions;
  room_service_actor rooms;
  room_relay_actor relay;
};

template <class Inspector> auto inspect(Inspector& f, node_services& x) {
  return f(caf::meta::type_name("node_services"), x.sessions, x.rooms, x.relay);
}

/// How a node introduces itself to another: who it is, proof that it holds
/// the cluster's secret, its services and the nodes it knows.
struct node_hello {
  node_entry self;
  /// HMAC-SHA-256 of `self` under the cluster secret, hex.
  std::string proof;
  node_services services;
  std::vector<node_entry> known;
};

template <class Inspector> auto inspect(Inspector& f, node_hello& x) {
  return f(caf::meta::type_name("node_hello"), x.self, x.proof, x.services,
           x.known);
}

/// A node's member of the cluster (actors/cluster/): the one actor it
/// publishes on its cluster port. Finds the other nodes, tells them about
/// each other, notices when one goes and tells the node's services.
using cluster_actor = caf::typed_actor<
    // A node introduces itself: answered with this node's hello, or an
    // error when its proof does not check (another cluster's secret).
    caf::replies_to<hello_atom, node_hello>::with<node_hello>,
    // A member's list of the nodes it knows: this node joins those it
    // does not know yet.
    caf::reacts_to<members_atom, std::vector<node_entry>>,
    // This node's cluster address, once its port is bound.
    caf::reacts_to<address_atom, std::string>,
    // Joins the nodes at these cluster addresses (`--join`).
    caf::reacts_to<join_atom, std::vector<std::string>>,
    // The connector reached the cluster actor at an address (null: it did
    // not).
    caf::reacts_to<connected_atom, std::string, caf::strong_actor_ptr>,
    // Every node this one knows, itself included (`sys.info`'s cluster).
    caf::replies_to<get_atom>::with<std::vector<node_entry>>,
    // This node's own state changes ("draining"): the others are told.
    caf::reacts_to<drain_atom>,
    // A local service wants the peer table now and after every change.
    caf::reacts_to<subscribe_atom, peer_listener_actor>,
    // Timer: nodes that are down or were not reached are tried again.
    caf::reacts_to<tick_atom>>;

/// Connects to other nodes' cluster ports one at a time, on its own thread:
/// CAF's connect blocks its caller while a host does not answer.
using connector_actor = caf::typed_actor<
    // Connect to HOST:PORT and tell the cluster actor what came of it.
    caf::reacts_to<caf::connect_atom, std::string>>;

} // namespace tether

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(tether::peer_table)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(tether::node_services_ref)
