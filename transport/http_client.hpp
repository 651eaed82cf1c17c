#pragma once

#include <chrono>
#include <string>

#include "tether/transport/beast.hpp"
#include "tether/transport/tls.hpp"

namespace tether::transport {

/// A node's answer to one request; `status` 0 when none came, and `error`
/// says why.
struct http_answer {
  unsigned status = 0;
  std::string content_type;
  std::string body;
  std::string error;
};

/// Sends `req` to `host:port` (a name or an address) and reads the answer,
/// over TLS when `tls` (checked as `options` say, the host name too), all
/// within `timeout`: the admin API's client side (tetherctl, tests).
http_answer http_exchange(const std::string& host, const std::string& port,
                          bool tls, const tls_client_options& options,
                          http::request<http::string_body>& req,
                          std::chrono::seconds timeout);

} // namespace tether::transport
