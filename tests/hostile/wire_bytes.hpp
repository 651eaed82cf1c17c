#pragma once

// Bytes a client puts on the wire, built by hand so that a test can send
// what no well-behaved client library would: cut frames, tiny fragments,
// oversized headers, a TLS hello where none is expected.

#include <cstdint>
#include <string>

namespace tether::test {

/// A WebSocket upgrade request for `path`, with `extra` (whole header
/// lines, each ending in CRLF) before its blank line.
std::string upgrade_request(const std::string& path,
                            const std::string& extra = {});

/// WebSocket opcodes a client sends.
enum class ws_op : uint8_t {
  continuation = 0,
  binary = 2,
  close = 8,
  ping = 9,
};

/// One client frame (masked, as RFC 6455 requires of clients).
std::string ws_frame(ws_op op, const std::string& payload, bool fin = true);

/// A binary message of `payload` in `pieces` frames (at least 1).
std::string ws_fragments(const std::string& payload, size_t pieces);

/// The first flight of a TLS client: its ClientHello record(s).
std::string tls_client_hello();

} // namespace tether::test
