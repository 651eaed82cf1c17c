#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "tether/transport/admission.hpp"
#include "tether/transport/handler_factory.hpp"
#include "tether/transport/settings.hpp"
#include "tether/transport/tls.hpp"

namespace tether::transport {

/// Serves plain and TLS clients on one port: waits for a connection's first
/// byte (without reading it), completes a TLS handshake when it opens one,
/// then hands the connection to an `http_session` over TCP or over TLS.
/// Both waits are bounded by `settings::upgrade_timeout`.
class protocol_detector
    : public std::enable_shared_from_this<protocol_detector> {
 public:
  protocol_detector(tcp::socket socket, const settings& cfg,
                    handler_factory make_handler, uint64_t number,
                    std::string remote, admission::ticket ticket);

  protocol_detector(const protocol_detector&) = delete;
  protocol_detector& operator=(const protocol_detector&) = delete;

  void run();

 private:
  void on_readable(error_code ec);
  void on_handshake(error_code ec);
  void close();

  tcp::socket socket_;
  /// Set once the first byte said TLS; owns the socket from then on.
  std::optional<tls_stream> tls_;
  settings cfg_;
  handler_factory make_handler_;
  uint64_t number_;
  std::string remote_;
  admission::ticket ticket_;
  net::steady_timer timer_;
};

} // namespace tether::transport
