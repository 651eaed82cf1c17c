#pragma once

#include <cstdint>
#include <string>

#include <caf/meta/type_name.hpp>

#include "tether/codec/value.hpp"

namespace tether {

/// What a room message does for a member whose stream falls behind: the
/// contract's delivery classes.
enum class delivery_class : uint8_t {
  /// Numbered and kept until acknowledged, like any frame (the default).
  keep,
  /// Not numbered at all for a stream that keeps more than `lossy_after`
  /// frames unacknowledged.
  drop,
  /// Takes the place (and seq) of an earlier message of the same room and
  /// key that the stream has not written to its socket yet.
  latest,
};

/// A delivery class with the key it needs (`latest` only): how
/// `room.broadcast`, `room.send`, the admin API and behaviors say it.
struct room_delivery {
  delivery_class kind = delivery_class::keep;
  std::string key;

  static room_delivery keep() { return {}; }
  static room_delivery drop() { return {delivery_class::drop, {}}; }
  static room_delivery latest(std::string key) {
    return {delivery_class::latest, std::move(key)};
  }
};

template <class Inspector> auto inspect(Inspector& f, room_delivery& x) {
  return f(caf::meta::type_name("room_delivery"), x.kind, x.key);
}

/// Reads the optional `delivery` and `key` of a map payload into `out`.
/// Answers why they are off (ERROR `invalid`), or empty: an unknown class,
/// or `latest` without a string `key`. Other classes ignore `key`.
std::string read_delivery(const codec::value& payload, room_delivery& out);

} // namespace tether
