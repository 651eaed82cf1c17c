#include "tether/transport/poll_registry.hpp"

#include "tether/security/crypto.hpp"
#include "tether/transport/poll_channel.hpp"

namespace tether::transport {

std::string poll_registry::make_token() {
  return security::to_hex(security::random_bytes(16));
}

void poll_registry::add(const std::shared_ptr<poll_channel>& c) {
  std::lock_guard<std::mutex> guard{mutex_};
  channels_[c->token()] = c;
}

void poll_registry::remove(const std::string& token) {
  std::lock_guard<std::mutex> guard{mutex_};
  channels_.erase(token);
}

std::shared_ptr<poll_channel>
poll_registry::find(const std::string& conn) const {
  // An id is the node's own part, a dot, and the token (`id_suffix`).
  auto dot = conn.rfind('.');
  if (dot == std::string::npos)
    return nullptr;
  std::lock_guard<std::mutex> guard{mutex_};
  auto i = channels_.find(conn.substr(dot + 1));
  return i == channels_.end() ? nullptr : i->second.lock();
}

size_t poll_registry::size() const {
  std::lock_guard<std::mutex> guard{mutex_};
  return channels_.size();
}

} // namespace tether::transport
