#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "tether/transport/admission.hpp"
#include "tether/transport/beast.hpp"
#include "tether/transport/handler_factory.hpp"
#include "tether/transport/settings.hpp"

namespace tether::transport {

/// Reads one HTTP request: upgrades it to a WebSocket on the configured path,
/// answers `/health`, hands `/api/...` to the admin API and `/poll...` to
/// long polling, and refuses anything else with a plain status.
///
/// `NextLayer` is the stream the request arrives on (`tcp::socket` in the
/// node, Beast's `test::stream` in tests); the upgraded `websocket_session`
/// takes it over. The member functions live in `http_session.ipp`, compiled
/// once per next layer by explicit instantiation.
template <class NextLayer>
class http_session
    : public std::enable_shared_from_this<http_session<NextLayer>> {
 public:
  // -- constructors -----------------------------------------------------------

  /// Takes over `stream`, the connection the listener numbered `number` and
  /// whose peer is `remote`, counted in by `ticket`.
  http_session(NextLayer&& stream, const settings& cfg,
               handler_factory make_handler, uint64_t number,
               std::string remote, admission::ticket ticket = {});

  http_session(const http_session&) = delete;
  http_session& operator=(const http_session&) = delete;

  // -- running ----------------------------------------------------------------

  /// Reads the request, within `settings::upgrade_timeout`; one begun and
  /// not whole by then is answered 408 (over plain TCP).
  void run();

 private:
  /// (Re)starts `timer_`, which calls `on_timeout` after `limit`.
  void arm_timer(std::chrono::steady_clock::duration limit);
  void on_timeout(error_code ec);
  /// 408 for a request the timer cut short; the connection ends after it.
  void answer_timed_out();
  /// Sets the body limit by path, then reads the body.
  void on_header(error_code ec, size_t n);
  void on_read(error_code ec, size_t n);
  void respond(http::status status, std::string body,
               const std::string& content_type = "text/plain");
  /// Hands the request to `settings::api`; its answer is written here.
  void serve_api(http::request<http::string_body>& req);
  /// Hands a request under `/poll` to long polling (poll_endpoint.hpp).
  void serve_poll(http::request<http::string_body>& req);
  /// An answer given later, from any thread: written on this session's
  /// executor.
  std::function<void(http_response)> answer_later();
  /// What admission says of `req` (a status, or 0 to go on).
  admission_verdict admit(const http::request<http::string_body>& req,
                          request_kind kind) const;
  void on_respond(error_code ec, size_t n);
  /// After the last answer: half-closes, then drops what the client still
  /// sends until it closes or falls silent for `settings::close_timeout`
  /// (within a byte and a time limit: `http_session.ipp`).
  void linger();
  void drop_rest();
  void close();

  NextLayer stream_;
  settings cfg_;
  handler_factory make_handler_;
  uint64_t number_;
  std::string remote_;
  admission::ticket ticket_;
  /// Whether the connection stays open after this answer (the request
  /// asked, and it was not the last one a connection may make).
  bool keep_alive_ = false;
  unsigned served_ = 0;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::shared_ptr<http::response<http::string_body>> response_;
  /// Bounds the whole HTTP exchange, read and answer; a plain timer on the
  /// stream's executor works over any next layer, unlike
  /// `beast::tcp_stream`'s. The WebSocket stream has its own after upgrade.
  net::steady_timer timer_;
  /// A request is being read (the timer then answers 408 if it has begun).
  bool reading_ = false;
  /// An answer is being written (over TLS a 408 can be, beside a read).
  bool writing_ = false;
  /// The timer struck while a request was under way.
  bool timed_out_ = false;
  /// While lingering: when it ends at the latest, and the bytes dropped.
  std::chrono::steady_clock::time_point linger_until_;
  size_t lingered_ = 0;
};

extern template class http_session<tcp::socket>;

} // namespace tether::transport
