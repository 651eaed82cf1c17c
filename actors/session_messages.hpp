#pragma once

// Messages between connections, lines, sessions and rooms. Each travels as
// encoded frames when it is serialized (to another node): no socket or
// channel travels in any of them. The attach messages name actors: they
// follow the interfaces, in interfaces.hpp.

#include <memory>
#include <string>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include <caf/error.hpp>
#include <caf/meta/type_name.hpp>
#include <caf/sec.hpp>

#include "tether/actors/rooms/delivery.hpp"
#include "tether/codec/decode.hpp"
#include "tether/codec/encode.hpp"
#include "tether/codec/frames.hpp"
#include "tether/transport/channel.hpp"

namespace tether {

/// The frames a client sent for its line, in order: one WebSocket
/// message's worth in one actor message.
struct client_frames {
  std::vector<codec::frame> frames;
};

/// Serialized as the batch of encoded frames the client would send.
template <class Inspector>
typename std::enable_if<Inspector::reads_state,
                        typename Inspector::result_type>::type
inspect(Inspector& f, client_frames& x) {
  std::string batch;
  for (const auto& frame : x.frames)
    batch += codec::encode(frame);
  return f(caf::meta::type_name("client_frames"), batch);
}

/// Read back with the same strict decoder as a client's message.
template <class Inspector>
typename std::enable_if<Inspector::writes_state,
                        typename Inspector::result_type>::type
inspect(Inspector& f, client_frames& x) {
  std::string batch;
  auto result = f(caf::meta::type_name("client_frames"), batch);
  x.frames.clear();
  if (result || batch.empty())
    return result;
  auto decoded = codec::decode_batch(batch.data(), batch.size());
  if (auto frames = std::get_if<std::vector<codec::frame>>(&decoded)) {
    x.frames = std::move(*frames);
    return result;
  }
  return caf::make_error(caf::sec::invalid_argument,
                         std::get<codec::decode_error>(decoded).reason);
}

/// One encoded frame for a session's streams (room traffic), shared by
/// every recipient on its node: encoded once, copied never. Its delivery
/// class travels with it to each stream, which applies it.
struct encoded_frame {
  encoded_frame() = default;
  encoded_frame(transport::shared_bytes frame,
                delivery_class how = delivery_class::keep,
                transport::shared_bytes key = nullptr)
      : bytes(std::move(frame)), delivery(how), latest_key(std::move(key)) {}

  transport::shared_bytes bytes;
  delivery_class delivery = delivery_class::keep;
  /// For `latest`: the room and key (`ROOM\0KEY`) whose waiting frame it
  /// replaces, shared like the bytes; null for the other classes.
  transport::shared_bytes latest_key;
};

template <class Inspector>
typename std::enable_if<Inspector::reads_state,
                        typename Inspector::result_type>::type
inspect(Inspector& f, encoded_frame& x) {
  std::string copy = x.bytes ? *x.bytes : std::string{};
  std::string key = x.latest_key ? *x.latest_key : std::string{};
  return f(caf::meta::type_name("encoded_frame"), copy, x.delivery, key);
}

template <class Inspector>
typename std::enable_if<Inspector::writes_state,
                        typename Inspector::result_type>::type
inspect(Inspector& f, encoded_frame& x) {
  std::string bytes;
  std::string key;
  auto result =
      f(caf::meta::type_name("encoded_frame"), bytes, x.delivery, key);
  x.bytes = transport::make_shared_bytes(std::move(bytes));
  x.latest_key = x.delivery == delivery_class::latest
                     ? transport::make_shared_bytes(std::move(key))
                     : nullptr;
  return result;
}

} // namespace tether
