// tether_baseline: the smallest Beast WebSocket server that speaks enough of
// the wire contract for the benchmarks. HELLO gets WELCOME, SESSION_OPEN a
// dummy SESSION (session id "s<conn>"), and REQUEST:
//   sys.echo        REPLY with the payload
//   room.create     REPLY {room: "r.<n>"}
//   room.join       REPLY {room, members: [], props: {}}, or room_not_found
//   room.broadcast  ROOM_MESSAGE [30, room, from, name, payload] to every
//                   member (the sender too unless exclude_self), then
//                   REPLY {} to the sender; not_member if not in the room
// A closed connection leaves its rooms; empty rooms stay. No actors, no
// limits, no heartbeats, one thread. It is the floor Tether's cost is
// measured against. With --tls-cert and --tls-key every connection is TLS,
// with the node's own context (transport/tls: the same versions, suites
// and ALPN), so that TLS rows compare the node with the same floor.

#include <algorithm>
#include <cstdlib>
#include <deque>
#include <iostream>
#include <memory>
#include <string>
#include <unordered_map>
#include <utility>
#include <variant>
#include <vector>

#include "tether/codec/decode.hpp"
#include "tether/codec/encode.hpp"
#include "tether/codec/frames.hpp"
#include "tether/codec/reader.hpp"
#include "tether/transport/beast.hpp"
#include "tether/transport/tls.hpp"

namespace {

using namespace tether::transport;
namespace codec = tether::codec;

codec::map_value limits() {
  return codec::map_value{codec::value::map({
      {"max_message", codec::value::of(uint64_t{1048576})},
      {"max_inflight", codec::value::of(uint64_t{128})},
      {"max_streams", codec::value::of(uint64_t{16})},
      {"session_ttl_s", codec::value::of(uint64_t{120})},
      {"ack_every", codec::value::of(uint64_t{64})},
  })};
}

/// The field `key` of a map value, as the exact bytes the client sent (a
/// broadcast payload is forwarded, never re-encoded); nil when absent.
codec::value field(const codec::value& map, const std::string& key) {
  const auto& bytes = map.encoded();
  auto b = static_cast<uint8_t>(bytes[0]);
  size_t header = 1;
  uint64_t n = 0;
  if (b >= 0x80 && b <= 0x8f)
    n = b & 0x0f;
  else if ((b == 0xde || b == 0xdf) && bytes.size() >= (b == 0xde ? 3u : 5u)) {
    header = b == 0xde ? 3 : 5;
    for (size_t i = 1; i < header; ++i)
      n = (n << 8) | static_cast<uint8_t>(bytes[i]);
  } else
    return {};
  codec::reader r{bytes.data() + header, bytes.size() - header};
  std::string k;
  for (uint64_t i = 0; i < n; ++i) {
    if (!r.read(k))
      return {};
    if (k == key) {
      codec::value v;
      return r.read(v) ? v : codec::value{};
    }
    if (!r.skip())
      return {};
  }
  return {};
}

/// A field read as `T`; a missing field or another type reads as `T{}`.
template <class T> T field_as(const codec::value& map, const std::string& key) {
  auto v = field(map, key);
  codec::reader r{v.encoded().data(), v.encoded().size()};
  T out{};
  return r.read(out) ? out : T{};
}

class member;

/// Room name to members in join order. Plain pointers: one thread, and a
/// member removes itself from its rooms when it is destroyed.
std::unordered_map<std::string, std::vector<member*>> rooms;
uint64_t next_room = 0;
uint64_t next_conn = 0;

/// What a room sees of a connection, plain or TLS alike.
class member {
 public:
  virtual ~member() {
    for (const auto& name : joined_) {
      auto& members = rooms[name];
      members.erase(std::find(members.begin(), members.end(), this));
    }
  }
  virtual void write(std::shared_ptr<const std::string> bytes) = 0;

 protected:
  std::vector<std::string> joined_; // rooms this connection is a member of
  uint64_t id_ = ++next_conn;
};

/// One connection over `Next`: a TCP socket, or TLS over one.
template <class Next>
class session : public member,
                public std::enable_shared_from_this<session<Next>> {
 public:
  explicit session(Next next) : ws_(std::move(next)) {}

  void run() {
    http::async_read(ws_.next_layer(), buf_, req_,
                     [self = this->shared_from_this()](error_code ec, size_t) {
                       self->on_request(ec);
                     });
  }

 private:
  void on_request(error_code ec) {
    if (ec)
      return;
    if (!websocket::is_upgrade(req_) || req_.target() != "/ws") {
      auto res = std::make_shared<http::response<http::string_body>>(
          http::status::not_found, req_.version());
      res->set(http::field::content_type, "text/plain");
      res->body() = "not found\n";
      res->keep_alive(false);
      res->prepare_payload();
      http::async_write(
          ws_.next_layer(), *res,
          [self = this->shared_from_this(), res](error_code, size_t) {
            error_code ignored;
            beast::get_lowest_layer(self->ws_).shutdown(
                tcp::socket::shutdown_both, ignored);
          });
      return;
    }
    ws_.read_message_max(1 << 20);
    ws_.auto_fragment(false);
    ws_.binary(true);
    ws_.async_accept(req_, [self = this->shared_from_this()](error_code ec) {
      if (!ec)
        self->do_read();
    });
  }

  void do_read() {
    buf_.clear();
    ws_.async_read(buf_, [self = this->shared_from_this()](
                             error_code ec, size_t) { self->on_read(ec); });
  }

  void on_read(error_code ec) {
    if (ec)
      return;
    if (!ws_.got_binary()) {
      fail(codec::close_code::invalid_message, "text message");
      return;
    }
    auto data = buf_.cdata();
    auto batch =
        codec::decode_batch(static_cast<const char*>(data.data()), data.size());
    if (auto* err = std::get_if<codec::decode_error>(&batch)) {
      fail(codec::close_code::invalid_message, err->reason);
      return;
    }
    std::string out;
    for (auto& f : std::get<std::vector<codec::frame>>(batch))
      answer(f, out);
    if (!out.empty())
      write(std::move(out));
    do_read();
  }

  void answer(codec::frame& f, std::string& out) {
    if (auto* x = std::get_if<codec::request>(&f)) {
      if (x->op == "sys.echo")
        codec::encode_one(codec::reply{x->id, std::move(x->payload)}, out);
      else if (x->op == "room.create")
        create(*x, out);
      else if (x->op == "room.join")
        join(*x, out);
      else if (x->op == "room.broadcast")
        broadcast(*x, out);
      else
        codec::encode_one(
            codec::error{x->id, "unknown_op", "no op named '" + x->op + "'"},
            out);
    } else if (auto* h = std::get_if<codec::hello>(&f)) {
      (void)h;
      codec::welcome w;
      w.node = "baseline";
      w.conn = "c" + std::to_string(id_);
      w.heartbeat_ms = 15000;
      w.limits = limits();
      codec::encode_one(w, out);
    } else if (auto* o = std::get_if<codec::session_open>(&f)) {
      codec::session s;
      s.id = o->id;
      s.session_id = "s" + std::to_string(id_);
      s.session_key = "key";
      s.stream_token = "token";
      codec::encode_one(s, out);
    }
  }

  // The payload (type, max_members, ...) is ignored: rooms here are bare.
  void create(const codec::request& x, std::string& out) {
    auto name = "r." + std::to_string(++next_room);
    rooms[name];
    codec::encode_one(
        codec::reply{x.id,
                     codec::value::map({{"room", codec::value::of(name)}})},
        out);
  }

  void join(const codec::request& x, std::string& out) {
    auto name = field_as<std::string>(x.payload, "room");
    auto room = rooms.find(name);
    if (room == rooms.end()) {
      codec::encode_one(codec::error{x.id, "room_not_found", "no room " + name},
                        out);
      return;
    }
    if (std::find(joined_.begin(), joined_.end(), name) == joined_.end()) {
      room->second.push_back(this);
      joined_.push_back(name);
    }
    codec::encode_one(
        codec::reply{x.id, codec::value::map({
                               {"room", codec::value::of(name)},
                               {"members", codec::value::from_encoded("\x90")},
                               {"props", codec::value::empty_map()},
                           })},
        out);
  }

  void broadcast(const codec::request& x, std::string& out) {
    auto name = field_as<std::string>(x.payload, "room");
    if (std::find(joined_.begin(), joined_.end(), name) == joined_.end()) {
      codec::encode_one(
          codec::error{x.id, "not_member", "not a member of " + name}, out);
      return;
    }
    auto exclude_self = field_as<bool>(x.payload, "exclude_self");
    // Encoded once; every member's queue shares the same bytes.
    std::string bytes;
    codec::encode_one(
        codec::room_message{name, "s" + std::to_string(id_),
                            field_as<std::string>(x.payload, "name"),
                            field(x.payload, "payload")},
        bytes);
    auto shared = std::make_shared<const std::string>(std::move(bytes));
    // What this batch answered before goes out first, in order.
    if (!out.empty()) {
      write(std::move(out));
      out.clear();
    }
    for (auto* member : rooms[name])
      if (member != this || !exclude_self)
        member->write(shared);
    codec::encode_one(codec::reply{x.id, codec::value::empty_map()}, out);
  }

  void fail(codec::close_code code, const std::string& why) {
    std::string out;
    codec::encode_one(codec::close{static_cast<uint64_t>(code), why, ""}, out);
    write(std::move(out));
  }

  void write(std::string bytes) {
    write(std::make_shared<const std::string>(std::move(bytes)));
  }

  // No limit: a member that does not read just queues (this is the floor).
  void write(std::shared_ptr<const std::string> bytes) override {
    queue_.push_back(std::move(bytes));
    if (queue_.size() == 1)
      do_write();
  }

  void do_write() {
    ws_.async_write(net::buffer(*queue_.front()),
                    [self = this->shared_from_this()](error_code ec, size_t) {
                      if (ec)
                        return;
                      self->queue_.pop_front();
                      if (!self->queue_.empty())
                        self->do_write();
                    });
  }

  websocket::stream<Next> ws_;
  beast::flat_buffer buf_;
  http::request<http::string_body> req_;
  std::deque<std::shared_ptr<const std::string>> queue_;
};

/// Completes the TLS handshake, then serves the connection as any other.
void serve_tls(tcp::socket socket, ssl::context& context) {
  auto stream = std::make_shared<tls_stream>(std::move(socket), context);
  stream->async_handshake(ssl::stream_base::server, [stream](error_code ec) {
    if (!ec)
      std::make_shared<session<tls_stream>>(std::move(*stream))->run();
  });
}

/// `tls`: null for plain connections.
void do_accept(tcp::acceptor& acceptor, ssl::context* tls) {
  acceptor.async_accept([&acceptor, tls](error_code ec, tcp::socket socket) {
    if (!ec) {
      socket.set_option(tcp::no_delay(true), ec);
      if (tls)
        serve_tls(std::move(socket), *tls);
      else
        std::make_shared<session<tcp::socket>>(std::move(socket))->run();
    }
    if (acceptor.is_open())
      do_accept(acceptor, tls);
  });
}

} // namespace

/// Reads `--name VALUE` or `--name=VALUE` at argv[i] into `out`.
bool option(const std::string& name, int argc, char** argv, int& i,
            std::string& out) {
  std::string arg = argv[i];
  if (arg == name && i + 1 < argc) {
    out = argv[++i];
    return true;
  }
  if (arg.rfind(name + "=", 0) != 0)
    return false;
  out = arg.substr(name.size() + 1);
  return true;
}

int main(int argc, char** argv) {
  std::string listen = "127.0.0.1:8081", cert, key;
  for (int i = 1; i < argc; ++i) {
    if (!option("--listen", argc, argv, i, listen) &&
        !option("--tls-cert", argc, argv, i, cert) &&
        !option("--tls-key", argc, argv, i, key)) {
      std::cerr << "usage: tether_baseline [--listen HOST:PORT] "
                   "[--tls-cert PEM --tls-key PEM]\n";
      return std::string{argv[i]} == "--help" ? 0 : 2;
    }
  }
  auto colon = listen.rfind(':');
  if (colon == std::string::npos) {
    std::cerr << "--listen wants HOST:PORT\n";
    return 2;
  }
  std::shared_ptr<tls_server> tls;
  if (!cert.empty() || !key.empty()) {
    std::string error;
    tls = tls_server::load(cert, key, error);
    if (!tls) {
      std::cerr << "tether_baseline: " << error << '\n';
      return 2;
    }
  }
  try {
    net::io_context ioc{1};
    tcp::endpoint ep{
        net::ip::make_address(listen.substr(0, colon)),
        static_cast<unsigned short>(std::stoul(listen.substr(colon + 1)))};
    tcp::acceptor acceptor{ioc};
    acceptor.open(ep.protocol());
    acceptor.set_option(net::socket_base::reuse_address(true));
    acceptor.bind(ep);
    acceptor.listen(net::socket_base::max_listen_connections);
    auto bound = acceptor.local_endpoint();
    std::cout << "tether_baseline listening on " << (tls ? "wss" : "ws")
              << "://" << bound.address().to_string() << ":" << bound.port()
              << "/ws" << std::endl;
    net::signal_set signals{ioc, SIGINT, SIGTERM};
    signals.async_wait([&](error_code, int) { ioc.stop(); });
    do_accept(acceptor, tls ? tls->current().get() : nullptr);
    ioc.run();
  } catch (const std::exception& e) {
    std::cerr << "tether_baseline: " << e.what() << '\n';
    return 1;
  }
  return 0;
}
