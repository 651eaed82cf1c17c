#include "tether/transport/listener.hpp"

#include <string>

#include "tether/transport/http_session.hpp"
#include "tether/transport/protocol_detector.hpp"

namespace tether::transport {

namespace {

/// The peer's address, for admission and (with its port) for logs; read
/// before the socket moves into a session, as a TLS stream later will not
/// expose it as plainly.
std::string address_of(const tcp::socket& socket) {
  error_code ec;
  auto ep = socket.remote_endpoint(ec);
  return ec ? std::string{"unknown"} : ep.address().to_string();
}

std::string port_of(const tcp::socket& socket) {
  error_code ec;
  auto ep = socket.remote_endpoint(ec);
  return ec ? std::string{"0"} : std::to_string(ep.port());
}

} // namespace

listener::listener(net::io_context& ioc, settings cfg,
                   handler_factory make_handler)
    : ioc_(ioc), acceptor_(net::make_strand(ioc)), cfg_(std::move(cfg)),
      make_handler_(std::move(make_handler)) {}

error_code listener::open(const tcp::endpoint& endpoint) {
  error_code ec;
  acceptor_.open(endpoint.protocol(), ec);
  if (!ec)
    acceptor_.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec)
    acceptor_.bind(endpoint, ec);
  if (!ec)
    acceptor_.listen(net::socket_base::max_listen_connections, ec);
  return ec;
}

tcp::endpoint listener::local_endpoint() const {
  error_code ec;
  return acceptor_.local_endpoint(ec);
}

void listener::run() {
  do_accept();
}

void listener::stop() {
  net::post(acceptor_.get_executor(), [self = shared_from_this()] {
    error_code ignored;
    self->acceptor_.close(ignored);
  });
}

void listener::do_accept() {
  auto executor = cfg_.threaded_io
                      ? net::any_io_executor{net::make_strand(ioc_)}
                      : net::any_io_executor{ioc_.get_executor()};
  acceptor_.async_accept(
      std::move(executor),
      beast::bind_front_handler(&listener::on_accept, shared_from_this()));
}

void listener::on_accept(error_code ec, tcp::socket socket) {
  if (ec == net::error::operation_aborted || !acceptor_.is_open())
    return;
  if (!ec) {
    socket.set_option(tcp::no_delay(true), ec);
    auto address = address_of(socket);
    auto remote = address + ":" + port_of(socket);
    auto ticket =
        cfg_.admits ? cfg_.admits->enter(address) : admission::ticket{};
    // A plain-only port skips the wait for the first byte.
    if (cfg_.tls)
      std::make_shared<protocol_detector>(std::move(socket), cfg_,
                                          make_handler_, ++accepted_,
                                          std::move(remote), std::move(ticket))
          ->run();
    else
      std::make_shared<http_session<tcp::socket>>(
          std::move(socket), cfg_, make_handler_, ++accepted_,
          std::move(remote), std::move(ticket))
          ->run();
  }
  // Errors such as "too many open files" must not stop the accept loop.
  do_accept();
}

} // namespace tether::transport
