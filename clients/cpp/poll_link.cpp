#include "tether/clients/cpp/poll_link.hpp"

#include <future>

#include "tether/codec/decode.hpp"
#include "tether/codec/encode.hpp"

namespace tether::client {

using transport::error_code;

namespace {

/// A POST's answer comes within the node's handshake timeout (10 s), or
/// at once; this bound is for a node that went away.
constexpr std::chrono::seconds post_timeout{30};

/// Messages queued while a POST is out go in one POST together, up to
/// these bounds (under the node's `max_batch_frames` and `max_message`
/// defaults for messages of one frame).
constexpr size_t max_merged_messages = 64;
constexpr size_t max_merged_bytes = 256 << 10;

/// WELCOME's conn in a batch, or empty.
std::string conn_of(const std::string& batch) {
  auto decoded = codec::decode_batch(batch.data(), batch.size());
  if (auto frames = std::get_if<std::vector<codec::frame>>(&decoded))
    for (auto& f : *frames)
      if (auto w = std::get_if<codec::welcome>(&f))
        return w->conn;
  return {};
}

bool has_close(const std::string& batch) {
  auto decoded = codec::decode_batch(batch.data(), batch.size());
  if (auto frames = std::get_if<std::vector<codec::frame>>(&decoded))
    for (auto& f : *frames)
      if (std::holds_alternative<codec::close>(f))
        return true;
  return false;
}

} // namespace

poll_link::poll_link(net::io_context& ioc,
                     std::shared_ptr<transport::ssl::context> tls,
                     bool verify_host)
    : strand_(net::make_strand(ioc)), tls_(std::move(tls)),
      verify_host_(verify_host) {}

error_code poll_link::connect(const std::string& host, uint16_t port,
                              const std::string& path,
                              std::chrono::milliseconds timeout) {
  path_ = path;
  timeout_ = timeout;
  posts_ = std::make_shared<http_conn>(strand_, host, port, tls_, verify_host_);
  gets_ = std::make_shared<http_conn>(strand_, host, port, tls_, verify_host_);
  // The POSTs' connection is made now, so that a node that cannot be
  // reached (or a certificate refused) fails here, as a WebSocket would.
  std::promise<error_code> done;
  net::post(strand_, [&, self = shared_from_this()] {
    posts_->connect(timeout, [&](error_code ec) { done.set_value(ec); });
  });
  return done.get_future().get();
}

std::string poll_link::refused_certificate() const {
  // After connect returned: nothing else touches the connection.
  return posts_ ? posts_->refused_certificate() : std::string{};
}

void poll_link::start(callbacks cb) {
  net::post(strand_, [self = shared_from_this(), cb = std::move(cb)] {
    self->cb_ = cb;
    self->started_ = true;
    self->do_post();
  });
}

void poll_link::send(transport::shared_bytes message, bool) {
  net::post(strand_, [self = shared_from_this(), message = std::move(message)] {
    if (self->closing_)
      return;
    self->queue_.push_back(message);
    self->do_post();
  });
}

http_conn::request poll_link::make_request(http::verb method,
                                           const std::string& target) const {
  http_conn::request req{method, target, 11};
  req.set(http::field::user_agent, "tether-cpp");
  if (method == http::verb::post)
    req.set(http::field::content_type, "application/msgpack");
  return req;
}

void poll_link::do_post() {
  if (!started_ || posting_ || finished_ || !broken_.empty())
    return;
  if (queue_.empty()) {
    if (closing_)
      finish("closed");
    return;
  }
  bool first = conn_.empty();
  auto req =
      make_request(http::verb::post, first ? path_ : path_ + "/" + conn_);
  // HELLO goes alone: the connection is not there before it.
  size_t merged = 0;
  do {
    req.body() += *queue_.front();
    queue_.pop_front();
  } while (!first && !queue_.empty() && ++merged < max_merged_messages &&
           req.body().size() + queue_.front()->size() <= max_merged_bytes);
  posting_ = true;
  posts_->send(std::move(req), post_timeout,
               [self = shared_from_this(), first](error_code ec,
                                                  http_conn::response res) {
                 self->posting_ = false;
                 if (self->finished_)
                   return;
                 auto status = ec ? 0u : res.result_int();
                 if (!first && (ec || status == 413)) {
                   // The node may have cut this POST short and closed the
                   // connection (CLOSE 4 for a body over max_message): the
                   // GET brings its CLOSE. Nothing more is posted.
                   self->broken_ = ec ? "POST failed: " + ec.message()
                                      : "POST answered 413: " + res.body();
                   self->queue_.clear();
                   return;
                 }
                 if (ec)
                   return self->finish("POST failed: " + ec.message());
                 if (first && status == 200) {
                   self->conn_ = conn_of(res.body());
                   self->cb_.on_message(std::move(res.body()), true);
                   if (self->conn_.empty())
                     return self->finish("closed by the node");
                   self->do_get();
                 } else if (status == 404) {
                   return self->finish("the node ended the poll connection");
                 } else if (first || status != 204) {
                   return self->finish("POST answered " +
                                       std::to_string(status) + ": " +
                                       res.body());
                 }
                 self->do_post();
               });
}

void poll_link::do_get() {
  if (finished_)
    return;
  auto target =
      path_ + "/" + conn_ + "?wait_ms=" + std::to_string(wait.count());
  gets_->send(
      make_request(http::verb::get, target), wait + std::chrono::seconds{15},
      [self = shared_from_this()](error_code ec, http_conn::response res) {
        self->on_got(ec, std::move(res));
      });
}

void poll_link::on_got(error_code ec, http_conn::response res) {
  if (finished_)
    return;
  if (ec)
    return finish("GET failed: " + ec.message());
  auto status = res.result_int();
  // Once a POST failed, the GET that brings no CLOSE ends the link.
  bool last = !broken_.empty() && (status != 200 || !has_close(res.body()));
  switch (status) {
  case 200:
    cb_.on_message(std::move(res.body()), true);
    [[fallthrough]];
  case 204:
    return last ? finish(broken_) : do_get();
  case 404:
    // After the node's CLOSE, which the GET before this one brought.
    return finish("closed by the node");
  default:
    finish("GET answered " + std::to_string(res.result_int()) + ": " +
           res.body());
  }
}

void poll_link::close() {
  net::post(strand_, [self = shared_from_this()] {
    if (self->closing_ || self->finished_)
      return;
    self->closing_ = true;
    if (self->conn_.empty() && !self->posting_)
      return self->finish("closed");
    self->queue_.push_back(transport::make_shared_bytes(
        codec::encode(codec::frame{codec::close{0, "", ""}})));
    self->do_post();
  });
}

void poll_link::abort() {
  net::post(strand_, [self = shared_from_this()] { self->finish("aborted"); });
}

void poll_link::finish(const std::string& reason) {
  if (finished_)
    return;
  finished_ = true;
  closing_ = true;
  if (posts_)
    posts_->close();
  if (gets_)
    gets_->close();
  queue_.clear();
  if (cb_.on_closed)
    cb_.on_closed(reason);
  cb_ = {};
}

} // namespace tether::client
