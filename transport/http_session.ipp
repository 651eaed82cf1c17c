#pragma once

// The member functions of `http_session`, included only where a next layer
// is instantiated (http_session.cpp, test_stream.cpp).

#include "tether/transport/http_session.hpp"

#include <type_traits>

#include "tether/transport/poll_endpoint.hpp"
#include "tether/transport/static_files.hpp"
#include "tether/transport/tls.hpp"
#include "tether/transport/websocket_session.hpp"

namespace tether::transport {

namespace http_session_detail {

/// Upgrade requests are small; anything larger is not a client of ours.
constexpr size_t max_request_bytes = 16 * 1024;

/// What a connection may still send after its last answer (a 431 or 413
/// stops reading a request): a client in the middle of a large request
/// finishes it and reads the answer; past that, it is not one.
constexpr size_t max_linger_bytes = 1024 * 1024;
/// And for how long, in `settings::close_timeout`s: each read gives one
/// more, within this many in all.
constexpr int max_linger_timeouts = 5;

/// Requests one connection may make, one after another (or pipelined),
/// before it is closed: health checks and admin calls reuse a connection,
/// nothing needs thousands on one.
constexpr unsigned max_requests_per_connection = 100;

inline std::string path_of(beast::string_view target) {
  auto query = target.find('?');
  return std::string{target.substr(0, query)};
}

} // namespace http_session_detail

template <class NextLayer>
http_session<NextLayer>::http_session(NextLayer&& stream, const settings& cfg,
                                      handler_factory make_handler,
                                      uint64_t number, std::string remote,
                                      admission::ticket ticket)
    : stream_(std::move(stream)), cfg_(cfg),
      make_handler_(std::move(make_handler)), number_(number),
      remote_(std::move(remote)), ticket_(std::move(ticket)),
      timer_(stream_.get_executor()) {}

template <class NextLayer> void http_session<NextLayer>::run() {
  using http_session_detail::max_request_bytes;
  // Bounds the wait for this request (the first, or the next one of a
  // connection kept alive).
  arm_timer(cfg_.upgrade_timeout);
  reading_ = true;
  parser_.emplace();
  parser_->header_limit(max_request_bytes);
  parser_->body_limit(max_request_bytes);
  http::async_read_header(stream_, buffer_, *parser_,
                          beast::bind_front_handler(&http_session::on_header,
                                                    this->shared_from_this()));
}

template <class NextLayer>
void http_session<NextLayer>::on_header(error_code ec, size_t n) {
  if (ec)
    return on_read(ec, n);
  // Long polling's bodies are batches of frames, as large as a WebSocket
  // message may be.
  if (is_poll_path(http_session_detail::path_of(parser_->get().target())))
    parser_->body_limit(std::max<uint64_t>(
        http_session_detail::max_request_bytes, cfg_.max_message));
  http::async_read(stream_, buffer_, *parser_,
                   beast::bind_front_handler(&http_session::on_read,
                                             this->shared_from_this()));
}

template <class NextLayer>
void http_session<NextLayer>::arm_timer(
    std::chrono::steady_clock::duration limit) {
  // Re-arming cancels the wait before: its handler sees operation_aborted.
  timer_.expires_after(limit);
  timer_.async_wait(beast::bind_front_handler(&http_session::on_timeout,
                                              this->shared_from_this()));
}

template <class NextLayer>
void http_session<NextLayer>::on_timeout(error_code ec) {
  if (ec)
    return;
  // A request begun but not whole in time gets 408 rather than a cut: a
  // close with its bytes unread would be a reset, which can discard what
  // the client has not read yet.
  bool begun =
      reading_ && !timed_out_ && (buffer_.size() != 0 || parser_->got_some());
  if constexpr (std::is_same_v<NextLayer, tls_stream>) {
    if (begun) {
      // Cancelled midway, a read would leave TLS's record layer in
      // between: the 408 goes out beside it, and the read goes on taking
      // the rest of the request within the answer's time limit.
      timed_out_ = true;
      return answer_timed_out();
    }
  } else if constexpr (std::is_same_v<NextLayer, tcp::socket>) {
    if (begun) {
      timed_out_ = true;
      error_code ignored;
      stream_.cancel(ignored); // on_read answers.
      return;
    }
  }
  // Closing aborts the read or write in flight, whose handler then ends the
  // session. A timer that fired just as the exchange ended finds the stream
  // closed or handed over: closing it again does nothing.
  close();
}

template <class NextLayer>
void http_session<NextLayer>::on_read(error_code ec, size_t) {
  using http_session_detail::path_of;
  keep_alive_ = false; // A request that failed to parse ends the connection.
  reading_ = false;
  if (timed_out_) {
    // Over TLS the 408 is on its way already (on_timeout): the connection
    // ends as after any last answer once that is written.
    if constexpr (std::is_same_v<NextLayer, tls_stream>) {
      if (!writing_)
        on_respond(ec, 0);
      return;
    }
    return answer_timed_out();
  }
  if (ec == http::error::header_limit) {
    // The parser takes the request line, target and all, once it is
    // whole: without a target it is the URL that is too long. (The buffer
    // cannot tell: read in pieces, it keeps only lines not yet parsed.)
    if (parser_->get().target().empty())
      return respond(http::status::uri_too_long, "URL too long\n");
    return respond(http::status::request_header_fields_too_large,
                   "request headers too large\n");
  }
  if (ec == http::error::body_limit) {
    poll_too_large(cfg_, path_of(parser_->get().target()));
    return respond(http::status::payload_too_large, "request body too large\n");
  }
  if (ec &&
      ec.category() ==
          http::make_error_code(http::error::bad_method).category() &&
      ec != http::error::end_of_stream && ec != http::error::partial_message)
    return respond(http::status::bad_request, "malformed HTTP request\n");
  if (ec)
    return close(); // Timed out or gone: nobody to answer.
  auto req = parser_->release();
  keep_alive_ = req.keep_alive() &&
                ++served_ < http_session_detail::max_requests_per_connection;
  auto path = path_of(req.target());
  bool draining = cfg_.draining->load(std::memory_order_relaxed);
  bool upgrade = websocket::is_upgrade(req);
  // A refused upgrade ends the connection: its client wanted a WebSocket.
  keep_alive_ = keep_alive_ && !upgrade;
  if (cfg_.admits) {
    // Only opening a poll connection is connecting: the requests of an
    // open one are not refused for a full node.
    auto kind = upgrade && path == cfg_.ws_path ? request_kind::websocket
                : path == "/poll"               ? request_kind::poll
                                                : request_kind::other;
    if (auto verdict = admit(req, kind); verdict.status != 0)
      return respond(static_cast<http::status>(verdict.status),
                     std::move(verdict.reason));
  }
  if (upgrade) {
    if (path != cfg_.ws_path)
      return respond(http::status::not_found,
                     "no WebSocket endpoint here; use " + cfg_.ws_path + "\n");
    if (draining)
      return respond(http::status::service_unavailable,
                     "draining: connect to another node\n");
    // A client waits for the upgrade's answer before it sends (RFC 6455,
    // 4.1): bytes already here would be lost in the hand-over.
    if (buffer_.size() != 0)
      return respond(http::status::bad_request,
                     "data sent before the upgrade was answered\n");
    timer_.cancel();
    std::make_shared<websocket_session<NextLayer>>(
        std::move(stream_), cfg_, std::move(remote_), std::move(ticket_))
        ->run(std::move(req), make_handler_, number_);
    return;
  }
  if (path == "/health")
    return draining ? respond(http::status::service_unavailable, "draining\n")
                    : respond(http::status::ok, "ok\n");
  // The operator's side: the admin API, /metrics and /debug.
  if ((path.rfind("/api/", 0) == 0 || path == "/metrics" || path == "/debug") &&
      cfg_.api)
    return serve_api(req);
  if (is_poll_path(path))
    return serve_poll(req);
  if (path == cfg_.ws_path)
    return respond(http::status::upgrade_required,
                   "this endpoint speaks WebSocket only\n");
  if (cfg_.files && req.method() == http::verb::get)
    if (auto file = cfg_.files->find(path))
      return respond(http::status::ok, std::move(file->body),
                     file->content_type);
  respond(http::status::not_found, "not found\n");
}

template <class NextLayer> void http_session<NextLayer>::answer_timed_out() {
  keep_alive_ = false;
  // The answer and what follows it (the linger, or over TLS the rest of
  // the request) get a time limit of their own.
  arm_timer(cfg_.close_timeout);
  respond(http::status::request_timeout,
          "the request did not arrive in time\n");
}

template <class NextLayer>
admission_verdict
http_session<NextLayer>::admit(const http::request<http::string_body>& req,
                               request_kind kind) const {
  admission_request x;
  x.address = remote_.substr(0, remote_.rfind(':'));
  x.path = http_session_detail::path_of(req.target());
  for (const auto& field : req)
    x.headers.emplace_back(std::string{field.name_string()},
                           std::string{field.value()});
  return cfg_.admits->check(x, ticket_.verdict(), kind);
}

template <class NextLayer>
void http_session<NextLayer>::serve_api(http::request<http::string_body>& req) {
  http_request x;
  x.method = std::string{req.method_string()};
  x.target = std::string{req.target()};
  x.authorization = std::string{req[http::field::authorization]};
  x.body = std::move(req.body());
  // The API answers within its own timeouts (a migration takes a while).
  timer_.cancel();
  cfg_.api(std::move(x), answer_later());
}

template <class NextLayer>
void http_session<NextLayer>::serve_poll(
    http::request<http::string_body>& req) {
  poll_request x{std::string{req.method_string()}, std::string{req.target()},
                 std::string{req[http::field::content_type]},
                 std::move(req.body())};
  // A GET waits up to 30 s, longer than this exchange may: the poll
  // connection bounds every wait it starts.
  timer_.cancel();
  auto answer = answer_later();
  transport::serve_poll(
      cfg_, std::move(x),
      poll_origin{stream_.get_executor(), make_handler_, number_, remote_},
      [answer](poll_answer a) {
        answer(http_response{
            a.status, a.status == 200 ? "application/msgpack" : "text/plain",
            std::move(a.body)});
      });
}

template <class NextLayer>
std::function<void(http_response)> http_session<NextLayer>::answer_later() {
  return [self = this->shared_from_this()](http_response r) {
    net::post(self->stream_.get_executor(), [self, r = std::move(r)] {
      self->respond(static_cast<http::status>(r.status), r.body,
                    r.content_type);
    });
  };
}

template <class NextLayer>
void http_session<NextLayer>::respond(http::status status, std::string body,
                                      const std::string& content_type) {
  response_ = std::make_shared<http::response<http::string_body>>(status, 11);
  response_->set(http::field::server, "tether-node");
  response_->set(http::field::content_type, content_type);
  response_->keep_alive(keep_alive_);
  response_->body() = std::move(body);
  response_->prepare_payload();
  writing_ = true;
  http::async_write(stream_, *response_,
                    beast::bind_front_handler(&http_session::on_respond,
                                              this->shared_from_this()));
}

template <class NextLayer>
void http_session<NextLayer>::on_respond(error_code ec, size_t) {
  writing_ = false;
  // Kept alive: the next request, maybe already in the buffer (pipelined).
  if (!ec && keep_alive_) {
    timer_.cancel();
    return run();
  }
  // The last answer: the peer reads it, then the end of the stream; over
  // TLS a close_notify first, so that it can tell the end from a cut.
  if constexpr (std::is_same_v<NextLayer, tls_stream>) {
    // A 408's read still in flight would collide with the shutdown's: it
    // ends by itself (on_read ends the connection) or by the time limit.
    if (timed_out_ && reading_ && !ec)
      return;
    if (!ec) {
      arm_timer(cfg_.close_timeout);
      stream_.async_shutdown(
          [self = this->shared_from_this()](error_code) { self->close(); });
      return;
    }
  }
  if (!ec)
    return linger();
  close();
}

template <class NextLayer> void http_session<NextLayer>::linger() {
  // The request may be unread in part (a 431 or 413 stops reading it).
  // Closing now would answer the client's next bytes with a reset, and a
  // reset can discard the answer before the client has read it.
  // (A socket's concern: Beast's test stream has no resets, nor half a
  // close.)
  if constexpr (!std::is_same_v<NextLayer, tcp::socket>) {
    return close();
  } else {
    error_code ignored;
    stream_.shutdown(net::socket_base::shutdown_send, ignored);
  }
  linger_until_ = std::chrono::steady_clock::now() +
                  http_session_detail::max_linger_timeouts * cfg_.close_timeout;
  lingered_ = 0;
  drop_rest();
}

template <class NextLayer> void http_session<NextLayer>::drop_rest() {
  // A client still sending gets another close_timeout from its last bytes
  // (a slow one, or one on a busy machine, was cut off mid-request), within
  // the linger's limits.
  auto left = linger_until_ - std::chrono::steady_clock::now();
  if (left <= decltype(left)::zero() ||
      lingered_ > http_session_detail::max_linger_bytes)
    return close();
  arm_timer(
      std::min<std::chrono::steady_clock::duration>(cfg_.close_timeout, left));
  buffer_.clear();
  stream_.async_read_some(
      buffer_.prepare(4096),
      [self = this->shared_from_this()](error_code ec, size_t n) {
        if (ec)
          return self->close(); // The client's end, or the time limit's.
        self->lingered_ += n;
        self->drop_rest();
      });
}

template <class NextLayer> void http_session<NextLayer>::close() {
  timer_.cancel();
  beast::close_socket(beast::get_lowest_layer(stream_));
}

} // namespace tether::transport
