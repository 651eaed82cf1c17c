#pragma once

// Messages between connections, lines, sessions and their supervisor.
// Frames and shared buffers are not serialized yet, so these are allowed as
// unsafe message types; no socket or channel travels in any of them.

#include <memory>
#include <string>
#include <vector>

#include <caf/actor.hpp>
#include <caf/allowed_unsafe_message_type.hpp>

#include "codec/frames.hpp"
#include "transport/channel.hpp"

namespace tether {

/// The frames a client sent for its line, in order: one WebSocket
/// message's worth in one actor message.
struct client_frames {
  std::vector<codec::frame> frames;
};

/// A connection that asks to be attached to a line, and the id of the
/// SESSION_* frame that asked.
struct attach_request {
  /// The connection actor (a `connection_actor`).
  caf::actor connection;
  /// The connection's id: its bridge in the node's `bridge_table`.
  std::string conn_id;
  uint64_t request_id = 0;
  /// Verified claims of the connection's authentication (a map or nil).
  codec::value claims;
};

/// How an attach ended: a stream, or an ERROR code for the client.
struct attach_result {
  std::string error_code;
  std::string error_message;
  /// The line now attached (a `line_actor`), when no error.
  caf::actor line;
};

/// An attach refused with ERROR `code`.
inline attach_result attach_refused(std::string code, std::string message) {
  return attach_result{std::move(code), std::move(message), nullptr};
}

} // namespace tether

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(tether::client_frames)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(tether::attach_request)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(tether::attach_result)

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(tether::transport::shared_bytes)
