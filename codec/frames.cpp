#include "tether/codec/frames.hpp"

namespace tether::codec {

kind kind_of(const frame& x) {
  return std::visit([](const auto& f) { return f.kind_v; }, x);
}

const char* to_string(kind x) {
  switch (x) {
  case kind::hello:
    return "HELLO";
  case kind::welcome:
    return "WELCOME";
  case kind::heartbeat:
    return "HEARTBEAT";
  case kind::close:
    return "CLOSE";
  case kind::request:
    return "REQUEST";
  case kind::reply:
    return "REPLY";
  case kind::error:
    return "ERROR";
  case kind::retry:
    return "RETRY";
  case kind::cancel:
    return "CANCEL";
  case kind::signal:
    return "SIGNAL";
  case kind::stream:
    return "STREAM";
  case kind::stream_part:
    return "STREAM_PART";
  case kind::result_part:
    return "RESULT_PART";
  case kind::session_open:
    return "SESSION_OPEN";
  case kind::session_attach:
    return "SESSION_ATTACH";
  case kind::session_resume:
    return "SESSION_RESUME";
  case kind::session:
    return "SESSION";
  case kind::session_close:
    return "SESSION_CLOSE";
  case kind::session_closed:
    return "SESSION_CLOSED";
  case kind::ack:
    return "ACK";
  case kind::seq:
    return "SEQ";
  case kind::room_message:
    return "ROOM_MESSAGE";
  }
  return "UNKNOWN";
}

} // namespace tether::codec
