#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "tether/codec/frames.hpp"

namespace tether::codec {

/// The frames of an upload of `parts` (at least one; none is one nil
/// part): STREAM with the first, then STREAM_PART 1, 2, ... with their
/// `index`, the last one flagged. Sent again whole after a resume, its
/// parts are still taken once each.
std::vector<frame> upload_frames(uint64_t id, const std::string& op,
                                 const std::vector<value>& parts);

} // namespace tether::codec
