#include "tether/tests/hostile/wire_bytes.hpp"

#include <algorithm>
#include <memory>

#include <openssl/bio.h>
#include <openssl/ssl.h>

namespace tether::test {

std::string upgrade_request(const std::string& path, const std::string& extra) {
  return "GET " + path +
         " HTTP/1.1\r\n"
         "Host: 127.0.0.1\r\n"
         "Upgrade: websocket\r\n"
         "Connection: Upgrade\r\n"
         "Sec-WebSocket-Version: 13\r\n"
         "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n" +
         extra + "\r\n";
}

std::string ws_frame(ws_op op, const std::string& payload, bool fin) {
  // Any key will do; a fixed one keeps the bytes reproducible.
  constexpr uint8_t key[4] = {0x12, 0x34, 0x56, 0x78};
  std::string out;
  out += static_cast<char>((fin ? 0x80 : 0) | static_cast<uint8_t>(op));
  auto n = payload.size();
  if (n < 126) {
    out += static_cast<char>(0x80 | n);
  } else if (n <= 0xffff) {
    out += static_cast<char>(0x80 | 126);
    out += static_cast<char>(n >> 8);
    out += static_cast<char>(n & 0xff);
  } else {
    out += static_cast<char>(0x80 | 127);
    for (int shift = 56; shift >= 0; shift -= 8)
      out += static_cast<char>((static_cast<uint64_t>(n) >> shift) & 0xff);
  }
  out.append(reinterpret_cast<const char*>(key), 4);
  for (size_t i = 0; i < n; ++i)
    out += static_cast<char>(payload[i] ^ key[i % 4]);
  return out;
}

std::string ws_fragments(const std::string& payload, size_t pieces) {
  pieces = std::max<size_t>(pieces, 1);
  auto size = std::max<size_t>(payload.size() / pieces, 1);
  std::string out;
  size_t at = 0;
  for (size_t i = 0; i < pieces; ++i) {
    bool last = i + 1 == pieces;
    auto part = last ? payload.substr(at) : payload.substr(at, size);
    at += part.size();
    out += ws_frame(i == 0 ? ws_op::binary : ws_op::continuation, part, last);
  }
  return out;
}

std::string tls_client_hello() {
  std::unique_ptr<SSL_CTX, decltype(&SSL_CTX_free)> ctx{
      SSL_CTX_new(TLS_client_method()), SSL_CTX_free};
  std::unique_ptr<SSL, decltype(&SSL_free)> ssl{SSL_new(ctx.get()), SSL_free};
  BIO* in = BIO_new(BIO_s_mem());
  BIO* out = BIO_new(BIO_s_mem());
  SSL_set_bio(ssl.get(), in, out); // The SSL owns both now.
  SSL_set_connect_state(ssl.get());
  SSL_do_handshake(ssl.get()); // Writes the hello, then wants to read.
  char* data = nullptr;
  long size = BIO_get_mem_data(out, &data);
  return std::string(data, static_cast<size_t>(size));
}

} // namespace tether::test
