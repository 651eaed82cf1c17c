#pragma once

#include <string>
#include <unordered_map>
#include <vector>

#include "tether/actors/function_behavior.hpp"
#include "tether/actors/interfaces.hpp"

namespace tether {

/// Op names and the behaviors that serve them. Filled once at startup, then
/// shared read-only by every connection, so lookups take no lock.
class behavior_registry {
 public:
  /// Binds `op` to `handler`, replacing any earlier binding.
  void add(const std::string& op, behavior_actor handler) {
    inline_.erase(op);
    ops_[op] = std::move(handler);
  }

  /// Binds `op` to a function that runs inline, in the actor the request
  /// arrived at (the connection or the stream): no hop to another actor and
  /// back. Only for functions that are quick and never block, since the
  /// connection waits for them.
  void add_inline(const std::string& op, request_function fn) {
    ops_.erase(op);
    inline_[op] = std::move(fn);
  }

  /// Unbinds `op` (to turn a built-in off).
  void remove(const std::string& op) {
    ops_.erase(op);
    inline_.erase(op);
  }

  /// The behavior for `op`, or null.
  const behavior_actor* find(const std::string& op) const {
    auto i = ops_.find(op);
    return i == ops_.end() ? nullptr : &i->second;
  }

  /// The inline function for `op`, or null.
  const request_function* find_inline(const std::string& op) const {
    auto i = inline_.find(op);
    return i == inline_.end() ? nullptr : &i->second;
  }

  /// Every bound op name, for logs.
  std::vector<std::string> ops() const {
    std::vector<std::string> result;
    for (const auto& kv : ops_)
      result.push_back(kv.first);
    for (const auto& kv : inline_)
      result.push_back(kv.first);
    return result;
  }

 private:
  std::unordered_map<std::string, behavior_actor> ops_;
  std::unordered_map<std::string, request_function> inline_;
};

} // namespace tether
