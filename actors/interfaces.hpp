#pragma once

// Every typed actor interface of Tether in one place: reading this file is
// reading the architecture. Each handler has a one-line comment.

#include <string>

#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>

#include "actors/atoms.hpp"
#include "actors/messages.hpp"
#include "codec/frames.hpp"

namespace tether {

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

/// The client as behaviors see it: where answers, pushes and calls to the
/// client go. A connection is one; a session's stream will be another.
using client_actor = caf::typed_actor<
    // Answers of behaviors, sent to the client as the frames they are.
    caf::reacts_to<codec::reply>, caf::reacts_to<codec::error>,
    caf::reacts_to<codec::retry>, caf::reacts_to<codec::result_part>,
    // A push to the client, not tied to a request.
    caf::reacts_to<codec::signal>,
    // A behavior asks the client to perform an op; the client's answer.
    caf::replies_to<codec::request>::with<client_answer>,
    // A behavior asks to send more parts; answered once the outbox has room.
    caf::replies_to<credit_atom>::with<bool>>;

/// One client connection: owns the WebSocket and speaks the wire contract.
using connection_actor = client_actor::extend<
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
    // Writes what the last handlers produced as one WebSocket message.
    caf::reacts_to<flush_atom>,
    // Stop taking requests, finish the open ones, then CLOSE 5.
    caf::reacts_to<drain_atom>,
    // The drain's grace period ran out.
    caf::reacts_to<grace_atom>>;

/// The node: knows its connections, reports statistics, runs the drain.
using node_actor = caf::typed_actor<
    // A new connection to watch (counted, drained at shutdown).
    caf::reacts_to<joined_atom, connection_actor>,
    // Statistics for `sys.info`.
    caf::replies_to<stats_atom>::with<node_stats>,
    // Drains every connection; answers when all are gone.
    caf::replies_to<drain_atom>::with<bool>>;

} // namespace tether
