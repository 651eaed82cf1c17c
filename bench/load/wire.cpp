#include "wire.hpp"

#include <charconv>
#include <string_view>
#include <variant>

#include "tether/codec/decode.hpp"
#include "tether/codec/encode.hpp"
#include "tether/codec/frames.hpp"

namespace tether::bench {

namespace {

using codec::value;

value raw(const std::string& encoded) {
  return value::from_encoded(encoded);
}

template <class Frame> std::string encoded(const Frame& f) {
  std::string out;
  codec::encode_one(f, out);
  return out;
}

/// Socket.IO: EVENT packet `42<id>["<name>",<args>]`.
std::string sio_event(uint64_t id, const std::string& name,
                      const std::string& args) {
  return "42" + std::to_string(id) + "[\"" + name + "\"," + args + "]";
}

/// The string value of `"key":"..."` in a small JSON text.
std::string json_string_field(const std::string& json, const std::string& key) {
  auto k = json.find("\"" + key + "\":\"");
  if (k == std::string::npos)
    return {};
  auto from = k + key.size() + 4;
  auto to = json.find('"', from);
  return to == std::string::npos ? std::string{} : json.substr(from, to - from);
}

uint64_t leading_number(const char* p, const char* end, const char** next) {
  uint64_t n = 0;
  auto r = std::from_chars(p, end, n);
  *next = r.ptr;
  return n;
}

void tether_event(codec::frame& f, uint64_t seq, std::vector<event>& out) {
  event e;
  e.seq = seq;
  if (auto* s = std::get_if<codec::seq>(&f)) {
    auto inner =
        codec::decode_frame(s->frame.bytes.data(), s->frame.bytes.size());
    if (auto* g = std::get_if<codec::frame>(&inner))
      tether_event(*g, s->seq, out);
    return;
  }
  if (auto* w = std::get_if<codec::welcome>(&f)) {
    e.kind = event::welcome;
    codec::lookup(w->limits, "ack_every").convert_to(e.number);
  } else if (auto* r = std::get_if<codec::reply>(&f)) {
    e.kind = event::reply;
    e.id = r->id;
    codec::lookup(r->payload, "room").convert_to(e.text);
    // sys.info; the other two only then, not on every echo.
    if (codec::lookup(r->payload, "connections").convert_to(e.number)) {
      codec::lookup(r->payload, "sessions").convert_to(e.sessions);
      codec::lookup(r->payload, "rooms").convert_to(e.rooms);
    }
  } else if (auto* x = std::get_if<codec::error>(&f)) {
    e.kind = event::error;
    e.id = x->id;
    e.text = x->code;
  } else if (auto* t = std::get_if<codec::retry>(&f)) {
    e.kind = event::retry;
    e.id = t->id;
  } else if (auto* m = std::get_if<codec::room_message>(&f)) {
    e.kind = event::room_message;
    m->payload.convert_to(e.number);
  } else if (auto* g = std::get_if<codec::signal>(&f)) {
    e.kind = event::signal;
    g->payload.convert_to(e.number);
  } else if (auto* s = std::get_if<codec::session>(&f)) {
    e.kind = event::session;
    e.id = s->id;
    e.text = s->stream_token;
    e.session_id = s->session_id;
    e.resumed = s->resumed;
    e.last_seq = s->last_seq;
  } else if (auto* c = std::get_if<codec::close>(&f)) {
    e.kind = event::close;
    e.number = c->code;
    e.text = c->redirect;
  }
  out.push_back(std::move(e));
}

bool socketio_events(const char* p, size_t size, std::vector<event>& out,
                     std::string& answer) {
  if (size == 0)
    return false;
  const char* end = p + size;
  switch (p[0]) {
  case '0': // Engine.IO open: connect to the default namespace.
    answer = "40";
    return true;
  case '2': // Engine.IO ping
    answer = "3";
    return true;
  case '1': // Engine.IO close
    out.emplace_back();
    out.back().kind = event::close;
    return true;
  case '4':
    break;
  default:
    return true;
  }
  if (size < 2)
    return false;
  event e;
  const char* rest = p + 2;
  switch (p[1]) {
  case '0': // namespace connected
    e.kind = event::welcome;
    break;
  case '1': // namespace disconnect
  case '4': // connect error
    e.kind = event::close;
    break;
  case '3': // ACK: 43<id>[...]
    e.kind = event::reply;
    e.id = leading_number(rest, end, &rest);
    e.text = json_string_field(std::string(rest, end), "room");
    break;
  case '2': { // EVENT: 42["name",payload]
    e.kind = event::room_message;
    std::string_view body(rest, static_cast<size_t>(end - rest));
    auto comma = body.find("\",");
    if (comma != std::string_view::npos)
      std::from_chars(rest + comma + 2, end, e.number);
    break;
  }
  default:
    return true;
  }
  out.push_back(std::move(e));
  return true;
}

} // namespace

std::string wire::blob(size_t size) const {
  if (p_ == protocol::socketio)
    return "\"" + std::string(size, 'x') + "\"";
  std::string b;
  if (size < 256) {
    b.push_back('\xc4');
    b.push_back(static_cast<char>(size));
  } else if (size < 65536) {
    b.push_back('\xc5');
    b.push_back(static_cast<char>(size >> 8));
    b.push_back(static_cast<char>(size & 0xff));
  } else {
    b.push_back('\xc6');
    for (int s = 24; s >= 0; s -= 8)
      b.push_back(static_cast<char>((size >> s) & 0xff));
  }
  b.append(size, 'x');
  return b;
}

std::string wire::number(uint64_t n) const {
  if (p_ == protocol::socketio)
    return std::to_string(n);
  return value::of(n).encoded();
}

std::string wire::hello() const {
  if (p_ == protocol::socketio)
    return {}; // the server speaks first
  codec::hello h;
  h.agent = "tether_load";
  return encoded(h);
}

std::string wire::session_open(uint64_t id) const {
  return encoded(codec::session_open{id, {}});
}

std::string wire::session_resume(uint64_t id, const std::string& token,
                                 uint64_t last_seq) const {
  return encoded(codec::session_resume{id, token, last_seq});
}

std::string wire::ack(uint64_t seq) const {
  return encoded(codec::ack{seq});
}

std::string wire::request(uint64_t id, const std::string& op,
                          const std::string& payload) const {
  if (p_ == protocol::socketio)
    return sio_event(id, op, payload);
  return encoded(codec::request{id, op, raw(payload)});
}

std::string wire::echo(uint64_t id, const std::string& payload) const {
  return request(id, p_ == protocol::socketio ? "echo" : "sys.echo", payload);
}

std::string wire::push(uint64_t id, uint64_t count,
                       const std::string& payload) const {
  return request(id, "sys.push",
                 value::map({{"name", value::of(std::string{"p"})},
                             {"payload", raw(payload)},
                             {"count", value::of(count)}})
                     .encoded());
}

std::string wire::info(uint64_t id) const {
  return request(id, "sys.info", value::empty_map().encoded());
}

std::string wire::room_create(uint64_t id, uint64_t max_members) const {
  if (p_ == protocol::socketio)
    return sio_event(id, "create", "{}");
  return request(id, "room.create",
                 value::map({{"max_members", value::of(max_members)},
                             {"presence", value::of(false)}})
                     .encoded());
}

std::string wire::room_join(uint64_t id, const std::string& room) const {
  if (p_ == protocol::socketio)
    return sio_event(id, "join", "\"" + room + "\"");
  return request(id, "room.join",
                 value::map({{"room", value::of(room)}}).encoded());
}

std::string wire::room_broadcast(uint64_t id, const std::string& room,
                                 const std::string& payload, bool exclude_self,
                                 const std::string& delivery,
                                 const std::string& key) const {
  if (p_ == protocol::socketio)
    return sio_event(
        id, "broadcast",
        "{\"room\":\"" + room + "\",\"name\":\"b\",\"payload\":" + payload +
            ",\"exclude_self\":" + (exclude_self ? "true" : "false") + "}");
  std::vector<std::pair<std::string, value>> fields{
      {"room", value::of(room)},
      {"name", value::of(std::string{"b"})},
      {"payload", raw(payload)},
      {"exclude_self", value::of(exclude_self)}};
  if (!delivery.empty())
    fields.emplace_back("delivery", value::of(delivery));
  if (!key.empty())
    fields.emplace_back("key", value::of(key));
  return request(id, "room.broadcast", value::map(fields).encoded());
}

bool wire::parse(const char* data, size_t size, std::vector<event>& out,
                 std::string& answer) const {
  if (p_ == protocol::socketio)
    return socketio_events(data, size, out, answer);
  auto batch = codec::decode_batch(data, size);
  auto* frames = std::get_if<std::vector<codec::frame>>(&batch);
  if (!frames)
    return false;
  for (auto& f : *frames)
    tether_event(f, 0, out);
  return true;
}

} // namespace tether::bench
