#pragma once

#include <string>

namespace tether::ctl {

/// Where the node's admin API is and how to reach it.
struct target {
  bool tls = false;
  std::string host;
  std::string port;
  /// The URL's path before `/api/v1/` (behind a proxy), without a
  /// trailing slash.
  std::string prefix;
  std::string token;
  /// Verify the node's certificate (off: `--insecure`).
  bool verify = true;
};

/// `url` (http:// or https://, with a port or not) read into `out`; false
/// and `error` when it is not one.
bool parse_url(const std::string& url, target& out, std::string& error);

/// An answer of the node; `status` 0 when none came (`error` says why).
struct response {
  unsigned status = 0;
  std::string body;
  std::string error;
};

/// `method path` (path from `/api/v1/` on, or `/metrics`) with `body`
/// (JSON) and the bearer token; waits up to 90 s.
response call(const target& at, const std::string& method,
              const std::string& path, const std::string& body = {});

} // namespace tether::ctl
