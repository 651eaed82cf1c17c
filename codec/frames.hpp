#pragma once

#include <cstdint>
#include <string>
#include <tuple>
#include <variant>

#include "tether/codec/value.hpp"

namespace tether::codec {

/// The `kind` number that opens every frame of the wire contract.
enum class kind : uint8_t {
  hello = 1,
  welcome = 2,
  heartbeat = 3,
  close = 4,
  request = 10,
  reply = 11,
  error = 12,
  retry = 13,
  cancel = 14,
  signal = 15,
  stream = 16,
  stream_part = 17,
  result_part = 18,
  session_open = 20,
  session_attach = 21,
  session_resume = 22,
  session = 23,
  session_close = 24,
  session_closed = 25,
  ack = 26,
  seq = 27,
  room_message = 30,
};

/// The codes a CLOSE frame carries.
enum class close_code : uint8_t {
  normal = 0,
  unsupported_version = 1,
  invalid_message = 2,
  timeout = 3,
  message_too_large = 4,
  going_away = 5,
  replaced = 6,
  slow_consumer = 7,
  unauthorized = 8,
  overloaded = 9,
};

/// A complete frame, already encoded, carried inside SEQ.
struct nested_frame {
  std::string bytes;

  template <class Inspector>
  friend auto inspect(Inspector& f, nested_frame& x) {
    return f(x.bytes);
  }
};

// Each frame lists its positional fields, after `kind`, in `fields()`: the
// encoder and decoder walk that list, so a frame is described exactly once.
#define TETHER_FRAME_FIELDS(...)                                               \
  auto fields() {                                                              \
    return std::tie(__VA_ARGS__);                                              \
  }                                                                            \
  auto fields() const {                                                        \
    return std::tie(__VA_ARGS__);                                              \
  }

/// Trailing fields of `Frame` that later revisions added (its
/// `optional_fields`): a sender of an earlier one leaves them out, and they
/// keep their defaults. 0 for most frames.
template <class Frame, class = void>
struct optional_fields_of : std::integral_constant<uint32_t, 0> {};

template <class Frame>
struct optional_fields_of<Frame, std::void_t<decltype(Frame::optional_fields)>>
    : std::integral_constant<uint32_t, Frame::optional_fields> {};

struct hello {
  static constexpr auto kind_v = kind::hello;
  uint64_t version = 1;
  std::string agent;
  map_value auth;
  TETHER_FRAME_FIELDS(version, agent, auth)
};

struct welcome {
  static constexpr auto kind_v = kind::welcome;
  uint64_t version = 1;
  std::string node;
  std::string conn;
  uint64_t heartbeat_ms = 0;
  map_value limits;
  TETHER_FRAME_FIELDS(version, node, conn, heartbeat_ms, limits)
};

struct heartbeat {
  static constexpr auto kind_v = kind::heartbeat;
  uint64_t load = 0;
  uint64_t time = 0;
  TETHER_FRAME_FIELDS(load, time)
};

struct close {
  static constexpr auto kind_v = kind::close;
  uint64_t code = 0;
  std::string message;
  std::string redirect;
  TETHER_FRAME_FIELDS(code, message, redirect)
};

struct request {
  static constexpr auto kind_v = kind::request;
  uint64_t id = 0;
  std::string op;
  value payload;
  TETHER_FRAME_FIELDS(id, op, payload)
};

struct reply {
  static constexpr auto kind_v = kind::reply;
  uint64_t id = 0;
  value payload;
  TETHER_FRAME_FIELDS(id, payload)
};

struct error {
  static constexpr auto kind_v = kind::error;
  uint64_t id = 0;
  std::string code;
  std::string message;
  TETHER_FRAME_FIELDS(id, code, message)
};

struct retry {
  static constexpr auto kind_v = kind::retry;
  uint64_t id = 0;
  uint64_t wait_ms = 0;
  std::string reason;
  TETHER_FRAME_FIELDS(id, wait_ms, reason)
};

struct cancel {
  static constexpr auto kind_v = kind::cancel;
  uint64_t id = 0;
  TETHER_FRAME_FIELDS(id)
};

struct signal {
  static constexpr auto kind_v = kind::signal;
  std::string name;
  value payload;
  TETHER_FRAME_FIELDS(name, payload)
};

struct stream {
  static constexpr auto kind_v = kind::stream;
  uint64_t id = 0;
  std::string op;
  value payload;
  TETHER_FRAME_FIELDS(id, op, payload)
};

struct stream_part {
  static constexpr auto kind_v = kind::stream_part;
  uint64_t id = 0;
  value payload;
  bool last = false;
  /// The part's place after the STREAM frame: 1, 2, 3 ... (revision 2);
  /// 0: the sender did not say (revision 1), it counts as the next one.
  uint64_t index = 0;
  TETHER_FRAME_FIELDS(id, payload, last, index)
  /// A revision-1 sender leaves `index` out.
  static constexpr uint32_t optional_fields = 1;
};

struct result_part {
  static constexpr auto kind_v = kind::result_part;
  uint64_t id = 0;
  value payload;
  bool last = false;
  TETHER_FRAME_FIELDS(id, payload, last)
};

struct session_open {
  static constexpr auto kind_v = kind::session_open;
  uint64_t id = 0;
  map_value info;
  TETHER_FRAME_FIELDS(id, info)
};

struct session_attach {
  static constexpr auto kind_v = kind::session_attach;
  uint64_t id = 0;
  std::string session_key;
  TETHER_FRAME_FIELDS(id, session_key)
};

struct session_resume {
  static constexpr auto kind_v = kind::session_resume;
  uint64_t id = 0;
  std::string stream_token;
  uint64_t last_seq = 0;
  TETHER_FRAME_FIELDS(id, stream_token, last_seq)
};

struct session {
  static constexpr auto kind_v = kind::session;
  uint64_t id = 0;
  std::string session_id;
  std::string session_key;
  std::string stream_token;
  uint64_t last_seq = 0;
  bool resumed = false;
  map_value info;
  TETHER_FRAME_FIELDS(id, session_id, session_key, stream_token, last_seq,
                      resumed, info)
};

struct session_close {
  static constexpr auto kind_v = kind::session_close;
  uint64_t id = 0;
  TETHER_FRAME_FIELDS(id)
};

struct session_closed {
  static constexpr auto kind_v = kind::session_closed;
  std::string reason;
  TETHER_FRAME_FIELDS(reason)
};

struct ack {
  static constexpr auto kind_v = kind::ack;
  uint64_t seq = 0;
  TETHER_FRAME_FIELDS(seq)
};

struct seq {
  static constexpr auto kind_v = kind::seq;
  uint64_t seq = 0;
  nested_frame frame;
  TETHER_FRAME_FIELDS(seq, frame)
};

struct room_message {
  static constexpr auto kind_v = kind::room_message;
  std::string room;
  std::string from;
  std::string name;
  value payload;
  TETHER_FRAME_FIELDS(room, from, name, payload)
};

#undef TETHER_FRAME_FIELDS

/// Lets frames travel as typed actor messages (CAF inspects their fields).
template <class Inspector, class Frame, class = decltype(Frame::kind_v)>
auto inspect(Inspector& f, Frame& x) {
  return std::apply([&](auto&... xs) { return f(xs...); }, x.fields());
}

/// Any frame of the wire contract.
using frame =
    std::variant<hello, welcome, heartbeat, close, request, reply, error, retry,
                 cancel, signal, stream, stream_part, result_part, session_open,
                 session_attach, session_resume, session, session_close,
                 session_closed, ack, seq, room_message>;

/// The `kind` of a frame held in the variant.
kind kind_of(const frame& x);

/// The contract's name of a kind, e.g. "REQUEST"; "UNKNOWN" otherwise.
const char* to_string(kind x);

} // namespace tether::codec
