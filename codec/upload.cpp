#include "tether/codec/upload.hpp"

namespace tether::codec {

std::vector<frame> upload_frames(uint64_t id, const std::string& op,
                                 const std::vector<value>& parts) {
  std::vector<frame> frames;
  frames.reserve(parts.size() + 1);
  frames.emplace_back(stream{id, op, parts.empty() ? value{} : parts.front()});
  for (size_t i = 1; i < parts.size(); ++i)
    frames.emplace_back(stream_part{id, parts[i], i + 1 == parts.size(), i});
  // A single part: the upload still ends with a last part.
  if (parts.size() <= 1)
    frames.emplace_back(stream_part{id, value{}, true, 1});
  return frames;
}

} // namespace tether::codec
