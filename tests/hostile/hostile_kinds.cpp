#include "tether/tests/hostile/hostile_kinds.hpp"

#include "tether/codec/encode.hpp"
#include "tether/tests/hostile/wire_bytes.hpp"

namespace tether::test {

namespace {

std::string binary(const std::string& payload) {
  return ws_frame(ws_op::binary, payload);
}

std::string hello_bytes() {
  return codec::encode(codec::hello{1, "hostile/1", {}});
}

/// REQUEST sys.echo's bytes up to its payload: [10, 1, "sys.echo", ...
std::string echo_request_head() {
  return std::string{"\x94\x0a\x01\xa8sys.echo", 12};
}

/// A TLS client on a plain node: its hello has no end of header, so the
/// node waits for one until its upgrade timeout (or a 400 once it has a
/// header's worth of bytes).
const std::set<std::string> dropped = {"eof", "reset", "HTTP 400"};

} // namespace

std::vector<hostile_kind> hostile_kinds(const std::string& path) {
  auto upgrade = upgrade_request(path);
  auto hello = binary(hello_bytes());
  std::string str32_header{"\xdb\xff\xff\xff\xff", 5};
  std::string heartbeats;
  for (int i = 0; i < 100000; ++i)
    heartbeats += codec::encode(codec::heartbeat{0, 0});
  std::string pings;
  for (int i = 0; i < 1000; ++i)
    pings += ws_frame(ws_op::ping, {});
  auto tls_hello = tls_client_hello();
  return {
      // Nothing after the upgrade: the handshake timeout's CLOSE 3.
      {"no HELLO", 900, false, {{upgrade}}, {"CLOSE 3"}},
      // The first half of HELLO's WebSocket frame, then silence.
      {"half a frame",
       300,
       false,
       {{upgrade}, {hello.substr(0, hello.size() / 2)}},
       {"CLOSE 3"}},
      // A whole WebSocket message holding half a HELLO.
      {"half a msgpack frame",
       200,
       false,
       {{upgrade}, {binary(hello_bytes().substr(0, 6))}},
       {"CLOSE 2"}},
      // A string header claiming 2^32 - 1 bytes, in a request's payload.
      {"2^32 string header",
       200,
       false,
       {{upgrade},
        {hello},
        {binary(echo_request_head() + str32_header + "ab")}},
       {"CLOSE 2"}},
      // 100,000 nested arrays as a request's payload.
      {"deep nesting",
       200,
       false,
       {{upgrade},
        {hello},
        {binary(echo_request_head() + std::string(100000, '\x91') + "\xc0")}},
       {"CLOSE 2"}},
      // 100,000 HEARTBEATs in one message.
      {"100000 frames in a message",
       100,
       false,
       {{upgrade}, {hello}, {binary(heartbeats)}},
       {"CLOSE 4"}},
      // One message in 100,000 fragments of 3 bytes.
      {"100000 fragments",
       50,
       false,
       {{upgrade},
        {hello},
        {ws_fragments(echo_request_head() + "\xdb" +
                          std::string{"\x00\x04\x93\xd8", 4} +
                          std::string(300000, 'x'),
                      100000)}},
       {"CLOSE 4"}},
      // Pings as fast as the socket takes them, and no HELLO.
      {"ping flood", 50, false, {{upgrade}, {pings, 2000}}, {"CLOSE 3"}},
      // Bytes that are no HTTP, then an upgrade.
      {"HTTP garbage",
       200,
       false,
       {{std::string{"\x00\xff GARBAGE\r\n\r\n", 15} + upgrade}},
       {"HTTP 400"}},
      // HELLO in the upgrade's packet, before its answer (RFC 6455, 4.1
      // forbids it): refused, rather than dropped unseen.
      {"frames before the upgrade's answer",
       100,
       false,
       {{upgrade + hello}},
       {"HTTP 400"}},
      // An upgrade with a header of 64 KiB: too large, or, when the
      // attack keeps this client from sending it all within the node's
      // request timeout (1 s here), too late.
      {"huge header",
       100,
       false,
       {{upgrade_request(path, "X-Big: " + std::string(65536, 'a') + "\r\n")}},
       {"HTTP 431", "HTTP 408"}},
      // A TLS client on a node without TLS.
      {"TLS hello to a plain node", 100, false, {{tls_hello}}, dropped},
      // A plain client on a TLS node is served (the contract), and
      // silent.
      {"plain no HELLO to a TLS node", 100, true, {{upgrade}}, {"CLOSE 3"}},
      // Half a TLS hello, then silence.
      {"half a TLS hello",
       100,
       true,
       {{tls_hello.substr(0, tls_hello.size() / 2)}},
       {"eof", "reset"}},
  };
}

} // namespace tether::test
