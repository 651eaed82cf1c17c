#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "tether/tests/transport/recording_handler.hpp"
#include "tether/transport/test_stream.hpp"

namespace tether::test {

/// A server `http_session` on one end of an in-memory connection and a
/// client on the other, both run by one `io_context` on the test's thread.
/// Nothing runs until `run`, which runs whatever is ready and returns once
/// nothing is: each test steps the two sides deterministically, with no
/// sleeps and no real socket. Timers (upgrade, idle, close) never expire.
class loopback {
 public:
  /// The number the listener would have given this connection.
  static constexpr uint64_t number = 7;

  /// Settings with the production defaults.
  loopback() : loopback(transport::settings{}) {}

  /// Starts the server session with `cfg`; `server_read_size`, if not 0,
  /// caps every read of the server's end of the stream.
  explicit loopback(transport::settings cfg, size_t server_read_size = 0);

  loopback(const loopback&) = delete;
  loopback& operator=(const loopback&) = delete;

  /// Runs every ready handler, of both sides, until none is.
  void run();

  // -- raw HTTP ---------------------------------------------------------------

  /// Writes `bytes` to the server as they are.
  void write_raw(const std::string& bytes);

  /// Writes `request`, runs, and reads the server's answer.
  transport::http::response<transport::http::string_body>
  exchange(const std::string& request);

  /// Whether the server has closed its end: a read sees the end of stream
  /// once whatever the server wrote has been read.
  bool server_closed();

  // -- WebSocket --------------------------------------------------------------

  /// Upgrades the connection with the client's handshake; true if it worked.
  bool upgrade();

  /// Starts the client reading messages into `received` until an error,
  /// which lands in `read_error`.
  void read_messages();

  /// Runs both sides. Declared first, so destroyed last: streams and
  /// sessions must go before their `io_context`.
  transport::net::io_context ioc;

  /// The client end of the connection: the raw stream and the WebSocket
  /// over it.
  transport::test_stream client;
  transport::websocket::stream<transport::test_stream&> ws;

  /// What the server made through its handler factory.
  int handlers_made = 0;
  uint64_t number_seen = 0;
  std::shared_ptr<transport::channel> channel;
  std::shared_ptr<recording_handler> handler;

  /// What `read_messages` read.
  std::vector<std::string> received;
  transport::error_code read_error;

 private:
  void read_next();

  transport::beast::flat_buffer read_buffer_;
};

} // namespace tether::test
