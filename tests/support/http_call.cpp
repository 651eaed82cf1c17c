#include "tether/tests/support/http_call.hpp"

#include <chrono>

#include "tether/transport/beast.hpp"
#include "tether/transport/tls.hpp"

namespace tether::test {

namespace {

namespace net = transport::net;
namespace http = transport::http;
namespace beast = transport::beast;

/// Writes `req` on `stream` and reads the answer.
template <class Stream>
http_result exchange(Stream& stream, http::request<http::string_body>& req) {
  transport::error_code ec;
  http::write(stream, req, ec);
  if (ec)
    return {};
  beast::flat_buffer buffer;
  http::response<http::string_body> res;
  http::read(stream, buffer, res, ec);
  if (ec && ec != http::error::end_of_stream)
    return {};
  return {static_cast<unsigned>(res.result_int()),
          std::string{res[http::field::content_type]}, res.body()};
}

} // namespace

http_result http_call(const client::endpoint& at, const std::string& method,
                      const std::string& target, const std::string& token,
                      const std::string& body) {
  net::io_context ioc;
  beast::tcp_stream stream{ioc};
  transport::error_code ec;
  stream.expires_after(std::chrono::seconds{90});
  stream.connect(
      transport::tcp::endpoint{net::ip::make_address(at.host), at.port}, ec);
  if (ec)
    return {};
  http::request<http::string_body> req{http::string_to_verb(method), target,
                                       11};
  req.set(http::field::host, at.host);
  if (!token.empty())
    req.set(http::field::authorization, "Bearer " + token);
  if (!body.empty())
    req.set(http::field::content_type, "application/json");
  req.body() = body;
  req.prepare_payload();
  if (!at.tls)
    return exchange(stream, req);
  std::string problem;
  auto ctx = transport::make_tls_client(at.tls_options, problem);
  if (!ctx)
    return {};
  beast::ssl_stream<beast::tcp_stream> tls{std::move(stream), *ctx};
  if (at.tls_options.verify)
    tls.set_verify_callback(transport::ssl::host_name_verification(at.host));
  tls.handshake(transport::ssl::stream_base::client, ec);
  if (ec)
    return {};
  return exchange(tls, req);
}

} // namespace tether::test
