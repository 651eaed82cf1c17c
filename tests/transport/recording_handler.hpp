#pragma once

#include <functional>
#include <string>
#include <vector>

#include "tether/transport/channel.hpp"

namespace tether::test {

/// A channel handler that records every call. At this boundary it stands in
/// for the connection's actor, so that the socket side can be tested alone.
class recording_handler : public transport::channel_handler {
 public:
  /// One delivered message.
  struct message {
    std::string bytes;
    bool binary;
  };

  void on_message(std::string bytes, bool binary) override {
    messages.push_back({std::move(bytes), binary});
  }
  void on_too_large() override { ++too_large; }
  void on_drained() override { ++drained; }
  void on_polled() override { ++polled; }
  void on_closed(const std::string& reason) override {
    closed.push_back(reason);
    if (when_closed)
      when_closed();
  }

  std::vector<message> messages;
  int too_large = 0;
  int drained = 0;
  int polled = 0;
  /// The reasons of every `on_closed`: a channel must give exactly one.
  std::vector<std::string> closed;
  /// Runs inside `on_closed`, to look at the channel at that moment.
  std::function<void()> when_closed;
};

} // namespace tether::test
