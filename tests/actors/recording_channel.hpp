#pragma once

#include <string>
#include <vector>

#include "tether/transport/channel.hpp"

namespace tether::test {

/// A channel that records what its owner does with it. At this boundary it
/// stands in for the socket, so that the actors' side of the bridge can be
/// tested step by step.
class recording_channel : public transport::channel {
 public:
  void send(transport::shared_bytes message) override {
    sent.push_back(std::move(message));
  }
  void close(transport::shared_bytes last) override {
    closed = true;
    this->last = std::move(last);
  }
  uint64_t retired_bytes() const override { return retired; }
  void messages_handled(size_t n) override { handled += n; }
  void notify_when_below(size_t bytes) override { notify_below = bytes; }
  const std::string& remote() const override { return remote_; }

  std::vector<transport::shared_bytes> sent;
  transport::shared_bytes last;
  bool closed = false;
  uint64_t retired = 0;
  size_t handled = 0;
  size_t notify_below = 0;

 private:
  std::string remote_ = "test";
};

} // namespace tether::test
