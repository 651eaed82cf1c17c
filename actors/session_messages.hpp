#pragma once

// Messages between connections, streams, sessions and their supervisor.
// They hold handles and shared buffers and never leave the node, so they
// are allowed as unsafe (unserializable) message types.

#include <memory>
#include <string>
#include <vector>

#include <caf/actor.hpp>
#include <caf/allowed_unsafe_message_type.hpp>

#include "codec/frames.hpp"
#include "transport/channel.hpp"

namespace tether {

/// The frames a client sent for its stream, in order: one WebSocket
/// message's worth in one actor message.
struct client_frames {
  std::vector<codec::frame> frames;
};

/// A connection that asks to be attached to a stream, and the id of the
/// SESSION_* frame that asked.
struct attach_request {
  /// The connection actor (a `connection_actor`).
  caf::actor connection;
  std::shared_ptr<transport::channel> channel;
  std::string conn_id;
  uint64_t request_id = 0;
  /// Verified claims of the connection's authentication (a map or nil).
  codec::value claims;
};

/// How an attach ended: a stream, or an ERROR code for the client.
struct attach_result {
  std::string error_code;
  std::string error_message;
  /// The stream now attached (a `stream_actor`), when no error.
  caf::actor stream;
};

} // namespace tether

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(tether::client_frames)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(tether::attach_request)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(tether::attach_result)

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(tether::transport::shared_bytes)
