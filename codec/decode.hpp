#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "tether/codec/frames.hpp"

namespace tether::codec {

/// Why a byte string is not a valid batch of frames.
struct decode_error {
  std::string reason;
  /// The bytes were fine up to a batch's frame limit: a message too large,
  /// not a malformed one.
  bool too_many_frames = false;
};

/// The frames of one WebSocket message, or why it is invalid.
using decoded_batch = std::variant<std::vector<frame>, decode_error>;

/// Decodes one WebSocket message: one or more frames back to back. Safe on
/// any byte string: never throws, never reads past `size`. A message of
/// more than `max_frames` frames fails at the first one past the limit.
decoded_batch decode_batch(const char* data, size_t size,
                           size_t max_frames = SIZE_MAX);

/// Decodes exactly one frame (for SEQ's nested frame, say).
std::variant<frame, decode_error> decode_frame(const char* data, size_t size);

} // namespace tether::codec
