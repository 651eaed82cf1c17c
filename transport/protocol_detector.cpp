#include "tether/transport/protocol_detector.hpp"

#include "tether/transport/http_session.hpp"

namespace tether::transport {

protocol_detector::protocol_detector(tcp::socket socket, const settings& cfg,
                                     handler_factory make_handler,
                                     uint64_t number, std::string remote,
                                     admission::ticket ticket)
    : socket_(std::move(socket)), cfg_(cfg),
      make_handler_(std::move(make_handler)), number_(number),
      remote_(std::move(remote)), ticket_(std::move(ticket)),
      timer_(socket_.get_executor()) {}

void protocol_detector::run() {
  timer_.expires_after(cfg_.upgrade_timeout);
  timer_.async_wait([self = shared_from_this()](error_code ec) {
    // Closing aborts the wait or the handshake, whose handler ends here.
    if (!ec)
      self->close();
  });
  socket_.async_wait(tcp::socket::wait_read,
                     beast::bind_front_handler(&protocol_detector::on_readable,
                                               shared_from_this()));
}

void protocol_detector::on_readable(error_code ec) {
  unsigned char first = 0;
  if (!ec)
    socket_.receive(net::buffer(&first, 1), tcp::socket::message_peek, ec);
  if (ec)
    return close(); // Timed out, reset, or closed before a byte came.
  if (first != tls_handshake_record) {
    timer_.cancel();
    std::make_shared<http_session<tcp::socket>>(
        std::move(socket_), cfg_, make_handler_, number_, std::move(remote_),
        std::move(ticket_))
        ->run();
    return;
  }
  tls_.emplace(std::move(socket_), *cfg_.tls->current());
  tls_->async_handshake(
      ssl::stream_base::server,
      beast::bind_front_handler(&protocol_detector::on_handshake,
                                shared_from_this()));
}

void protocol_detector::on_handshake(error_code ec) {
  timer_.cancel();
  if (ec)
    return close(); // A bad hello, no common suite, or timed out.
  std::make_shared<http_session<tls_stream>>(
      std::move(*tls_), cfg_, make_handler_, number_, std::move(remote_),
      std::move(ticket_))
      ->run();
}

void protocol_detector::close() {
  error_code ignored;
  if (tls_)
    beast::get_lowest_layer(*tls_).close(ignored);
  else
    socket_.close(ignored);
}

} // namespace tether::transport
