#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "tether/transport/beast.hpp"
#include "tether/transport/tls.hpp"

namespace tether::client {

namespace net = transport::net;
namespace http = transport::http;

/// One HTTP/1.1 connection to a node, plain or over TLS, kept alive from
/// one request to the next and opened again when the node has closed it
/// (it ends a connection after a number of requests, or idle). One
/// request at a time; every call and callback runs on `strand`.
class http_conn : public std::enable_shared_from_this<http_conn> {
 public:
  using strand = net::strand<net::io_context::executor_type>;
  using request = http::request<http::string_body>;
  using response = http::response<http::string_body>;
  using done_fn = std::function<void(transport::error_code, response)>;

  /// `tls` null: plain HTTP; else with `verify_host` the certificate must
  /// name `host`.
  http_conn(strand s, std::string host, uint16_t port,
            std::shared_ptr<transport::ssl::context> tls, bool verify_host);

  /// Connects (and completes TLS) within `timeout`.
  void connect(std::chrono::milliseconds timeout,
               std::function<void(transport::error_code)> done);

  /// Sends `req` and reads its answer within `timeout`, connecting first
  /// when needed. On a connection that served a request before, a failure
  /// before any answer byte sends it once more on a new connection: the
  /// node had closed the old one, and never read the request.
  void send(request req, std::chrono::milliseconds timeout, done_fn done);

  /// Closes the connection; a request in flight fails.
  void close();

  /// Why the certificate was refused, after a failed connect.
  std::string refused_certificate();

 private:
  /// One TCP connection, plain or TLS, and its read buffer: shared with
  /// the operations on it, which may outlive its place here.
  struct link {
    std::unique_ptr<transport::beast::tcp_stream> plain;
    std::unique_ptr<transport::tls_client_stream> secure;
    transport::beast::flat_buffer buffer;
    /// The connection has served a request already.
    bool used = false;

    transport::beast::tcp_stream& lowest() {
      return secure ? transport::beast::get_lowest_layer(*secure) : *plain;
    }
  };

  void exchange(std::shared_ptr<request> req, std::chrono::milliseconds timeout,
                bool again, done_fn done);

  strand strand_;
  std::string host_;
  uint16_t port_;
  std::shared_ptr<transport::ssl::context> tls_;
  bool verify_host_;
  /// The open connection, if any.
  std::shared_ptr<link> link_;
};

} // namespace tether::client
