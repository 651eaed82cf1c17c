#pragma once

// Reads what a node sends a raw client, as it arrives: the HTTP answer,
// then WebSocket frames, noting the contract's CLOSE code and the
// WebSocket close code. Keeps no more than one message.

#include <string>

#include "tether/tests/hostile/raw_peer.hpp"

namespace tether::test {

class reply_reader {
 public:
  explicit reply_reader(outcome& out) : out_(out) {}

  /// Takes the next bytes from the node.
  void take(const char* data, size_t size);

 private:
  void read_status();
  bool read_frame();
  void on_message();

  outcome& out_;
  bool upgraded_ = false;
  bool in_headers_ = true;
  std::string buffer_;
  std::string message_;
};

} // namespace tether::test
