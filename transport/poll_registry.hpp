#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

namespace tether::transport {

class poll_channel;

/// The open poll connections of one listener, by the random end of their
/// id: how `/poll/CONN` finds its connection. Used from every I/O thread;
/// its lock is held for a lookup, never across I/O.
class poll_registry {
 public:
  /// A fresh token: 128 random bits in hex, unguessable, as a session
  /// key is.
  static std::string make_token();

  void add(const std::shared_ptr<poll_channel>& c);
  void remove(const std::string& token);

  /// The connection whose id `conn` is, or null (unknown, or ended).
  std::shared_ptr<poll_channel> find(const std::string& conn) const;

  /// Open poll connections.
  size_t size() const;

 private:
  mutable std::mutex mutex_;
  /// Weak: the connection's actor owns its channel, not this table.
  std::unordered_map<std::string, std::weak_ptr<poll_channel>> channels_;
};

} // namespace tether::transport
