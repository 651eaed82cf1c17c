#pragma once

#include <string>
#include <unordered_map>
#include <vector>

#include "actors/interfaces.hpp"

namespace tether {

/// Op names and the behaviors that serve them. Filled once at startup, then
/// shared read-only by every connection, so lookups take no lock.
class behavior_registry {
 public:
  /// Binds `op` to `handler`, replacing any earlier binding.
  void add(const std::string& op, behavior_actor handler) {
    ops_[op] = std::move(handler);
  }

  /// Unbinds `op` (to turn a built-in off).
  void remove(const std::string& op) { ops_.erase(op); }

  /// The behavior for `op`, or null.
  const behavior_actor* find(const std::string& op) const {
    auto i = ops_.find(op);
    return i == ops_.end() ? nullptr : &i->second;
  }

  /// Every bound op name, for logs.
  std::vector<std::string> ops() const {
    std::vector<std::string> result;
    for (const auto& kv : ops_)
      result.push_back(kv.first);
    return result;
  }

 private:
  std::unordered_map<std::string, behavior_actor> ops_;
};

} // namespace tether
