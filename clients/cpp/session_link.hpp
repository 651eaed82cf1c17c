#pragma once

// Private to the session client: what one attempt and one live connection
// end with.

#include <memory>
#include <optional>
#include <string>

#include "tether/clients/cpp/client.hpp"
#include "tether/clients/cpp/session_client.hpp"

namespace tether::client {

namespace detail {

/// How one attempt to get a stream ended.
struct attempt_result {
  enum class kind {
    /// `conn` has a stream attached.
    live,
    /// Try again after a backoff.
    retry,
    /// CLOSE 5 with `redirect`: try there at once.
    redirect,
    /// For good.
    stop,
  };
  kind what = kind::retry;
  std::string reason;
  std::optional<uint64_t> close_code;
  std::string redirect;
  std::shared_ptr<client> conn;
  /// For `live`: what to tell the app.
  std::optional<session_event> event;
};

/// How a live connection ended.
struct link_end {
  std::string reason = "connection lost";
  std::optional<codec::close> close;
  bool session_closed = false;
};

} // namespace detail

/// CLOSE codes after which reconnecting is pointless: unsupported
/// version, replaced (another connection took the stream), unauthorized.
bool is_final_close(uint64_t code);

} // namespace tether::client
