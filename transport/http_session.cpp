#include "transport/http_session.hpp"

namespace tether::transport {

namespace {

/// Upgrade requests are small; anything larger is not a client of ours.
constexpr size_t max_request_bytes = 16 * 1024;

std::string path_of(beast::string_view target) {
  auto query = target.find('?');
  return std::string{target.substr(0, query)};
}

} // namespace

http_session::http_session(tcp::socket&& socket, const settings& cfg,
                           handler_factory make_handler, uint64_t number)
    : stream_(std::move(socket)), cfg_(cfg),
      make_handler_(std::move(make_handler)), number_(number) {}

void http_session::run() {
  parser_.emplace();
  parser_->header_limit(max_request_bytes);
  parser_->body_limit(max_request_bytes);
  stream_.expires_after(cfg_.upgrade_timeout);
  http::async_read(
      stream_, buffer_, *parser_,
      beast::bind_front_handler(&http_session::on_read, shared_from_this()));
}

void http_session::on_read(error_code ec, size_t) {
  if (ec)
    return; // Timed out or gone before saying anything: nothing to answer.
  auto req = parser_->release();
  auto path = path_of(req.target());
  if (websocket::is_upgrade(req)) {
    if (path != cfg_.ws_path)
      return respond(http::status::not_found,
                     "no WebSocket endpoint here; use " + cfg_.ws_path + "\n");
    std::make_shared<websocket_session>(stream_.release_socket(), cfg_)
        ->run(std::move(req), make_handler_, number_);
    return;
  }
  if (path == "/health")
    return respond(http::status::ok, "ok\n");
  if (path == cfg_.ws_path)
    return respond(http::status::upgrade_required,
                   "this endpoint speaks WebSocket only\n");
  respond(http::status::not_found, "not found\n");
}

void http_session::respond(http::status status, std::string body) {
  response_ = std::make_shared<http::response<http::string_body>>(status, 11);
  response_->set(http::field::server, "tether-node");
  response_->set(http::field::content_type, "text/plain");
  response_->keep_alive(false);
  response_->body() = std::move(body);
  response_->prepare_payload();
  http::async_write(
      stream_, *response_, [self = shared_from_this()](error_code, size_t) {
        error_code ignored;
        self->stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
      });
}

} // namespace tether::transport
