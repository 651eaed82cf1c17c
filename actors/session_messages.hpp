#pragma once

// Messages between connections, lines, sessions and their supervisor.
// Frames and shared buffers are not serialized yet, so these are allowed as
// unsafe message types; no socket or channel travels in any of them. The
// attach messages name actors: they follow the interfaces, in
// interfaces.hpp.

#include <memory>
#include <string>
#include <vector>

#include <caf/actor.hpp>
#include <caf/allowed_unsafe_message_type.hpp>

#include "tether/codec/frames.hpp"
#include "tether/transport/channel.hpp"

namespace tether {

/// The frames a client sent for its line, in order: one WebSocket
/// message's worth in one actor message.
struct client_frames {
  std::vector<codec::frame> frames;
};

} // namespace tether

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(tether::client_frames)

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(tether::transport::shared_bytes)
