#pragma once

#include <memory>
#include <optional>

#include "transport/beast.hpp"
#include "transport/settings.hpp"
#include "transport/websocket_session.hpp"

namespace tether::transport {

/// Reads one HTTP request: upgrades it to a WebSocket on the configured path,
/// answers `/health`, and refuses anything else with a plain status.
class http_session : public std::enable_shared_from_this<http_session> {
 public:
  /// `number`: the socket's number in accept order, for its handler.
  http_session(tcp::socket&& socket, const settings& cfg,
               handler_factory make_handler, uint64_t number);

  void run();

 private:
  void on_read(error_code ec, size_t n);
  void respond(http::status status, std::string body);

  beast::tcp_stream stream_;
  settings cfg_;
  handler_factory make_handler_;
  uint64_t number_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::shared_ptr<http::response<http::string_body>> response_;
};

} // namespace tether::transport
