#pragma once

// One generator-side WebSocket connection: connects (from one of several
// loopback source addresses, past the ~28k ports of one), over TLS for a
// wss:// target, does the handshake (and, for Tether, opens or resumes a
// session), then hands every event to its handler. It numbers what arrives in
// SEQ, counts gaps and duplicates, and acknowledges as the contract asks.

#include <deque>
#include <memory>
#include <string>
#include <variant>
#include <vector>

#include "tether/transport/beast.hpp"
#include "tether/transport/tls.hpp"
#include "wire.hpp"

namespace tether::bench {

namespace net = transport::net;
namespace beast = transport::beast;
namespace websocket = transport::websocket;
using transport::error_code;
using transport::tcp;

struct target {
  std::string host;
  uint16_t port = 0;
  std::string path;
  size_t source_addrs = 1; // 127.0.0.F .. 127.0.0.(F+N-1), round robin
  size_t source_from = 1;  // F: another than 1 starts clear of the
                           // TIME_WAIT sockets earlier workloads left
  /// wss://: every connection's TLS context (null: plain ws://), and
  /// whether the certificate must name `host` (it is verified).
  std::shared_ptr<transport::ssl::context> tls;
  bool verify_host = false;
};

class peer;

class peer_handler {
 public:
  virtual ~peer_handler() = default;
  /// The handshake (and session) is done, or failed.
  virtual void on_ready(peer& p, bool ok) = 0;
  virtual void on_event(peer& p, const event& e) = 0;
  /// A ready connection ended (closed by the server, or failed).
  virtual void on_closed(peer&) {}
};

enum class setup { hello, session_open, session_resume };

class peer : public std::enable_shared_from_this<peer> {
 public:
  peer(net::io_context& ioc, const target& where, const wire& w,
       peer_handler& h, size_t index);

  void start(setup s);
  void send(std::string bytes);
  /// A slow consumer: reads nothing more, acknowledges nothing more.
  void pause_reading() { paused_ = true; }
  /// Sends no ACK of its own accord (frames stay kept by the node) until
  /// `hold_acks(false)`.
  void hold_acks(bool hold) { holding_acks_ = hold; }
  /// Acknowledges every numbered frame received so far, now.
  void ack_now();
  /// Closes the socket at once, like a network that went away.
  void drop();

  size_t index() const { return index_; }
  bool ready() const { return ready_; }
  bool closed() const { return closed_; }
  uint64_t take_id() { return next_id_++; }

  // Sessions (Tether only).
  const std::string& token() const { return token_; }
  const std::string& session_id() const { return session_id_; }
  void resume_from(std::string token, uint64_t last_seq) {
    token_ = std::move(token);
    last_seq_ = acked_ = last_seq;
  }
  uint64_t last_seq() const { return last_seq_; }
  uint64_t acked() const { return acked_; }
  uint64_t gaps() const { return gaps_; }
  uint64_t duplicates() const { return duplicates_; }
  const std::string& failure() const { return failure_; }
  /// The redirect of the server's CLOSE, if it sent one (CLOSE 5: the
  /// node to reconnect to; empty: none named).
  const std::string& redirect() const { return redirect_; }
  /// The code of the server's CLOSE (0: it sent none).
  uint64_t close_code() const { return close_code_; }

 private:
  void on_connect(error_code ec);
  void do_read();
  void on_read(error_code ec);
  void handle(const event& e);
  void during_setup(const event& e);
  void write_next();
  void upgrade();
  void end(const std::string& why);
  tcp::socket& socket();
  /// Runs `f` on whichever stream this connection has.
  template <class F> decltype(auto) with_ws(F&& f) {
    return std::visit(std::forward<F>(f), ws_);
  }

  using plain_ws = websocket::stream<tcp::socket>;
  using tls_ws = websocket::stream<transport::tls_stream>;
  using any_ws = std::variant<plain_ws, tls_ws>;
  static any_ws make_ws(net::io_context& ioc, const target& where);

  any_ws ws_;
  const target& where_;
  const wire& wire_;
  peer_handler& handler_;
  size_t index_;
  setup setup_ = setup::hello;
  beast::flat_buffer buf_;
  std::deque<std::string> out_;
  std::vector<event> events_;
  bool writing_ = false;
  bool ready_ = false;
  bool closed_ = false;
  bool paused_ = false;
  bool holding_acks_ = false;
  uint64_t next_id_ = 1;
  std::string token_;
  std::string session_id_;
  std::string redirect_;
  uint64_t close_code_ = 0;
  uint64_t last_seq_ = 0;
  uint64_t acked_ = 0;
  uint64_t ack_every_;
  uint64_t gaps_ = 0;
  uint64_t duplicates_ = 0;
  std::string failure_;
};

} // namespace tether::bench
