#pragma once

#include <cstdint>
#include <memory>

#include "tether/transport/beast.hpp"
#include "tether/transport/handler_factory.hpp"
#include "tether/transport/settings.hpp"

namespace tether::transport {

/// Accepts TCP connections, numbers them in accept order and hands each to
/// an `http_session`.
class listener : public std::enable_shared_from_this<listener> {
 public:
  listener(net::io_context& ioc, settings cfg, handler_factory make_handler);

  listener(const listener&) = delete;
  listener& operator=(const listener&) = delete;

  /// Binds and listens; the error says why not (address in use, say).
  error_code open(const tcp::endpoint& endpoint);

  /// The endpoint actually bound (port 0 resolved).
  tcp::endpoint local_endpoint() const;

  /// Serves `/api/...` with `api` (before `run`).
  void set_api(http_api api) { cfg_.api = std::move(api); }

  /// Starts accepting.
  void run();

  /// The node drains: connections are still accepted, but `/health`
  /// answers 503 and WebSocket upgrades are refused with 503.
  void drain() { cfg_.draining->store(true); }

  /// Stops accepting; open connections are not touched.
  void stop();

 private:
  void do_accept();
  void on_accept(error_code ec, tcp::socket socket);

  net::io_context& ioc_;
  tcp::acceptor acceptor_;
  settings cfg_;
  handler_factory make_handler_;
  /// Sockets accepted so far; the last one's number. A plain integer: the
  /// accept loop is one chain of handlers on the acceptor's strand, so only
  /// one thread at a time touches it.
  uint64_t accepted_ = 0;
};

} // namespace tether::transport
