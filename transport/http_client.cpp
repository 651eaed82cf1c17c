#include "tether/transport/http_client.hpp"

namespace tether::transport {

namespace {

template <class Stream>
http_answer exchange(Stream& stream, http::request<http::string_body>& req) {
  error_code ec;
  http::write(stream, req, ec);
  if (ec)
    return {0, {}, {}, "cannot send the request: " + ec.message()};
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  // Pages of a large cluster are big; nothing the API answers is larger.
  parser.body_limit(64 * 1024 * 1024);
  http::read(stream, buffer, parser, ec);
  if (ec && ec != http::error::end_of_stream)
    return {0, {}, {}, "no answer: " + ec.message()};
  auto res = parser.release();
  return {static_cast<unsigned>(res.result_int()),
          std::string{res[http::field::content_type]},
          res.body(),
          {}};
}

} // namespace

http_answer http_exchange(const std::string& host, const std::string& port,
                          bool tls, const tls_client_options& options,
                          http::request<http::string_body>& req,
                          std::chrono::seconds timeout) {
  net::io_context ioc;
  error_code ec;
  tcp::resolver resolver{ioc};
  auto found = resolver.resolve(host, port, ec);
  if (ec)
    return {0, {}, {}, "cannot resolve " + host + ": " + ec.message()};
  beast::tcp_stream stream{ioc};
  stream.expires_after(timeout);
  stream.connect(found, ec);
  if (ec)
    return {0,
            {},
            {},
            "cannot connect to " + host + ":" + port + ": " + ec.message()};
  if (!tls)
    return exchange(stream, req);
  std::string problem;
  auto ctx = make_tls_client(options, problem);
  if (!ctx)
    return {0, {}, {}, "TLS: " + problem};
  beast::ssl_stream<beast::tcp_stream> secure{std::move(stream), *ctx};
  // SNI, for proxies that serve several names.
  SSL_set_tlsext_host_name(secure.native_handle(), host.c_str());
  if (options.verify)
    secure.set_verify_callback(ssl::host_name_verification(host));
  secure.handshake(ssl::stream_base::client, ec);
  if (ec)
    return {0, {}, {}, "TLS handshake with " + host + ": " + ec.message()};
  return exchange(secure, req);
}

} // namespace tether::transport
