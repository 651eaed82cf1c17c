#pragma once

// The client's side of a request that stalls midway, over TCP or TLS
// (tests/e2e/http_test.cpp, tls_test.cpp).

#include <string>

#include <catch2/catch.hpp>

#include "tether/transport/beast.hpp"

namespace tether::test {

/// Sends half a request on `s` and checks that the node answers 408 and
/// will close; returns how the next read ended.
template <class Stream> transport::error_code stall_for_408(Stream& s) {
  namespace http = transport::http;
  namespace net = transport::net;
  net::write(s,
             net::buffer(std::string{"GET /health HTTP/1.1\r\nHost: x\r\n"}));
  transport::beast::flat_buffer buffer;
  http::response<http::string_body> res;
  transport::error_code ec;
  http::read(s, buffer, res, ec);
  REQUIRE_FALSE(ec);
  CHECK(res.result() == http::status::request_timeout);
  CHECK_FALSE(res.keep_alive());
  http::read(s, buffer, res, ec);
  return ec;
}

} // namespace tether::test
