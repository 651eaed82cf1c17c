#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "tether/codec/value.hpp"
#include "tether/transport/tls.hpp"

namespace tether::client {

/// How a `session_client` connects and reconnects.
struct session_options {
  /// The node's `ws://HOST:PORT/PATH` (or `wss://`; `http://HOST:PORT/poll`
  /// or `https://` for long polling): where it connects
  /// first, and after a CLOSE 5 with an empty redirect.
  std::string url;
  /// How a `wss://` (or `https://`) node's certificate is checked (redirects
  /// too).
  transport::tls_client_options tls;
  /// HELLO's auth map (e.g. {"token": JWT}); empty: anonymous.
  codec::map_value auth;
  /// SESSION_OPEN's info (for a new session only).
  codec::map_value info;
  /// HELLO's agent.
  std::string agent = "tether-cpp-session";
  /// Backoff between attempts: full jitter, each wait drawn from
  /// [min_delay, min(max_delay, min_delay * 2^attempt)].
  std::chrono::milliseconds min_delay{100};
  std::chrono::milliseconds max_delay{10000};
  /// Each step of an attempt (TCP and WebSocket, HELLO, the session)
  /// gives up after this long.
  std::chrono::milliseconds step_timeout{5000};
  /// CLOSE 5 redirects followed in a row before going back to `url`.
  unsigned max_redirects = 3;
  /// RETRY answers (rate limit, overload) a call is sent again after,
  /// each after its `wait_ms`, before the caller gets the RETRY itself.
  /// A RETRY `shutdown` (a draining node) waits for the next connection
  /// and is not counted.
  unsigned max_retries = 8;
};

/// What a `session_client` is doing.
enum class session_state {
  /// Before `start()`.
  idle,
  /// First connection, or a new one after a drop: no stream yet.
  connecting,
  /// A stream is attached: calls go out at once.
  live,
  /// For good: `close()`, CLOSE 8 or 1 or 6, or the node closed the session.
  stopped,
};

const char* to_string(session_state x);

/// What a `session_client` tells the app.
struct session_event {
  enum class kind {
    /// The first stream is attached (a new session).
    connected,
    /// The connection ended; `reason`, and `close_code` if the node sent
    /// CLOSE. Calls wait and are sent again after the resume.
    disconnected,
    /// An attempt is about to start after `delay`: `attempt` (1, 2, ...),
    /// `url` (a redirect's, or the first one).
    reconnecting,
    /// The stream was resumed at `url`: nothing was lost.
    resumed,
    /// The stream could not be resumed (`reason`: `resume_gap` or
    /// `stream_not_found`); a new stream of the same session is attached.
    /// Frames were lost, and calls whose answer may be lost failed
    /// (`lost_calls`, with ERROR `resume_gap`).
    resume_gap,
    /// The session itself was gone (`session_not_found`): a new one was
    /// opened with the same info. Rooms must be joined again.
    new_session,
    /// For good; `reason`, and `close_code` when a CLOSE ended it.
    stopped,
  };
  kind what = kind::connected;
  std::string url;
  std::string reason;
  std::optional<uint64_t> close_code;
  unsigned attempt = 0;
  std::chrono::milliseconds delay{0};
  size_t lost_calls = 0;
};

const char* to_string(session_event::kind x);

} // namespace tether::client
