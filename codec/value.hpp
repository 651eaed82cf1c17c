#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include <msgpack.hpp>

namespace tether::codec {

/// One MessagePack value kept in its encoded form. Forwarding a payload
/// (echo, broadcast) then costs a copy of bytes and never a re-encoding.
class value {
 public:
  // -- constructors -----------------------------------------------------------

  /// The nil value.
  value() : bytes_(1, '\xc0') {}

  /// Wraps bytes that already hold exactly one well-formed MessagePack value.
  static value from_encoded(std::string bytes) {
    value result;
    result.bytes_ = std::move(bytes);
    return result;
  }

  /// Encodes any type msgpack-c knows how to pack.
  template <class T> static value of(const T& x) {
    msgpack::sbuffer buf;
    msgpack::pack(buf, x);
    return from_encoded(std::string{buf.data(), buf.size()});
  }

  /// A map from the given keys to already encoded values, in this order.
  static value map(const std::vector<std::pair<std::string, value>>& entries);

  /// An array of already encoded values, in this order.
  static value array(const std::vector<value>& items);

  /// The empty map, `{}`.
  static value empty_map() { return from_encoded(std::string(1, '\x80')); }

  // -- observers --------------------------------------------------------------

  const std::string& encoded() const noexcept { return bytes_; }

  bool is_nil() const noexcept {
    return bytes_.size() == 1 && bytes_[0] == '\xc0';
  }

  /// Decodes into a msgpack-c object tree; the handle owns the memory.
  msgpack::object_handle unpack() const;

  /// Converts to `T`; false when the value has another type.
  template <class T> bool convert_to(T& out) const {
    try {
      unpack().get().convert(out);
      return true;
    } catch (const std::exception&) {
      return false;
    }
  }

  friend bool operator==(const value& x, const value& y) {
    return x.bytes_ == y.bytes_;
  }

  friend bool operator!=(const value& x, const value& y) { return !(x == y); }

  template <class Inspector> friend auto inspect(Inspector& f, value& x) {
    return f(x.bytes_);
  }

 private:
  std::string bytes_;
};

/// A value that decoding has checked to be a map with string keys.
struct map_value : value {
  map_value() : value(value::empty_map()) {}
  explicit map_value(value x) : value(std::move(x)) {}
};

/// Looks up `key` in a map value; nil when absent or when `x` is no map.
value lookup(const value& x, const std::string& key);

} // namespace tether::codec
