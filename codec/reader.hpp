#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "tether/codec/frames.hpp"

namespace tether::codec {

/// Reads MessagePack items from untrusted bytes without throwing and without
/// allocating more than the bytes it returns. Every read either succeeds and
/// advances, or fails and leaves `failed()` set with a reason.
class reader {
 public:
  /// Deepest nesting accepted inside an `any` value: payloads are
  /// documents a few levels deep, and whatever walks a value later (its
  /// JSON for the admin API, msgpack's unpacking) recurses once a level.
  /// Deeper: the message is invalid (CLOSE 2).
  static constexpr uint32_t max_depth = 64;

  reader(const char* data, size_t size) : data_(data), size_(size) {}

  bool at_end() const noexcept { return pos_ >= size_; }
  size_t position() const noexcept { return pos_; }
  bool failed() const noexcept { return !error_.empty(); }
  const std::string& error() const noexcept { return error_; }

  bool read_array_header(uint32_t& n);
  bool read(uint64_t& x);
  bool read(std::string& x);
  bool read(bool& x);
  bool read(value& x);
  bool read(map_value& x);
  bool read(nested_frame& x);

  /// Skips one well-formed value of any type.
  bool skip();

  /// Records the first failure; always returns false.
  bool fail(std::string reason);

 private:
  bool take(size_t n, const char*& out);
  bool read_be(size_t n, uint64_t& out);
  bool peek(uint8_t& out) const;
  // Checks one whole value and returns its extent, without decoding it.
  bool extent(size_t& begin, size_t& end);

  const char* data_;
  size_t size_;
  size_t pos_ = 0;
  std::string error_;
};

} // namespace tether::codec
