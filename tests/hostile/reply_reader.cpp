#include "tether/tests/hostile/reply_reader.hpp"

#include <variant>

#include "tether/codec/decode.hpp"

namespace tether::test {

namespace {

/// Headers a node sends are short; more is not a node.
constexpr size_t max_head = 64 * 1024;

} // namespace

void reply_reader::take(const char* data, size_t size) {
  buffer_.append(data, size);
  if (in_headers_)
    read_status();
  if (!upgraded_) {
    // A refusal's body says nothing the status does not.
    if (!in_headers_)
      buffer_.clear();
    return;
  }
  while (read_frame()) {
  }
}

void reply_reader::read_status() {
  auto end = buffer_.find("\r\n\r\n");
  if (end == std::string::npos) {
    if (buffer_.size() > max_head)
      buffer_.clear();
    return;
  }
  in_headers_ = false;
  // "HTTP/1.1 101 Switching Protocols"
  if (buffer_.compare(0, 9, "HTTP/1.1 ") == 0 && buffer_.size() >= 12)
    out_.http_status = static_cast<unsigned>(std::stoul(buffer_.substr(9, 3)));
  upgraded_ = out_.http_status == 101;
  buffer_.erase(0, end + 4);
}

bool reply_reader::read_frame() {
  // A node's frames are not masked: 2 header bytes, then 2 or 8 of length.
  if (buffer_.size() < 2)
    return false;
  auto byte = [&](size_t i) { return static_cast<uint8_t>(buffer_[i]); };
  bool fin = byte(0) & 0x80;
  int op = byte(0) & 0x0f;
  uint64_t len = byte(1) & 0x7f;
  size_t head = 2;
  if (len >= 126) {
    size_t extra = len == 126 ? 2 : 8;
    if (buffer_.size() < 2 + extra)
      return false;
    len = 0;
    for (size_t i = 0; i < extra; ++i)
      len = (len << 8) | byte(2 + i);
    head += extra;
  }
  if (buffer_.size() < head + len)
    return false;
  auto payload = buffer_.substr(head, len);
  buffer_.erase(0, head + len);
  if (op == 8 && payload.size() >= 2)
    out_.ws_close = (static_cast<uint8_t>(payload[0]) << 8) |
                    static_cast<uint8_t>(payload[1]);
  if (op == 2 || op == 0) {
    message_ += payload;
    if (fin)
      on_message();
  }
  return true;
}

void reply_reader::on_message() {
  auto decoded = codec::decode_batch(message_.data(), message_.size());
  message_.clear();
  if (auto frames = std::get_if<std::vector<codec::frame>>(&decoded))
    for (const auto& f : *frames)
      if (auto c = std::get_if<codec::close>(&f))
        out_.close_code = static_cast<int>(c->code);
}

} // namespace tether::test
