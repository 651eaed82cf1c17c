#include "tether/transport/admission.hpp"

#include <algorithm>
#include <strings.h>

namespace tether::transport {

namespace {

/// Addresses counted in between two sweeps of the idle ones.
constexpr size_t sweep_every = 1024;

} // namespace

std::string admission_request::header(const std::string& name) const {
  for (const auto& [key, value] : headers)
    if (key.size() == name.size() &&
        ::strncasecmp(key.data(), name.data(), name.size()) == 0)
      return value;
  return {};
}

admission::admission(admission_limits limits) : limits_(std::move(limits)) {}

admission::ticket admission::enter(const std::string& address) {
  auto now = std::chrono::steady_clock::now();
  std::lock_guard<std::mutex> guard{mutex_};
  if (++entries_since_sweep_ >= sweep_every)
    sweep(now);
  auto [it, fresh] = addresses_.try_emplace(address);
  auto& entry = it->second;
  if (fresh) {
    entry.tokens = limits_.attempts_burst;
    entry.refilled = now;
  }
  auto verdict = admitted::yes;
  if (limits_.attempts_per_s > 0) {
    std::chrono::duration<double> passed = now - entry.refilled;
    entry.tokens =
        std::min(limits_.attempts_burst,
                 entry.tokens + passed.count() * limits_.attempts_per_s);
    entry.refilled = now;
    if (entry.tokens >= 1) {
      entry.tokens -= 1;
    } else {
      verdict = admitted::too_many_from_address;
      refused_rate_.fetch_add(1, std::memory_order_relaxed);
    }
  }
  if (limits_.max_per_ip != 0 && entry.open >= limits_.max_per_ip) {
    if (verdict == admitted::yes)
      refused_per_ip_.fetch_add(1, std::memory_order_relaxed);
    verdict = admitted::too_many_from_address;
  } else if (verdict == admitted::yes && limits_.max_total != 0 &&
             open_ >= limits_.max_total)
    verdict = admitted::node_full;
  ++entry.open;
  ++open_;
  return ticket{shared_from_this(), address, verdict};
}

void admission::leave(const std::string& address) {
  std::lock_guard<std::mutex> guard{mutex_};
  --open_;
  auto it = addresses_.find(address);
  if (it != addresses_.end() && --it->second.open == 0 &&
      limits_.attempts_per_s <= 0)
    addresses_.erase(it);
}

void admission::sweep(std::chrono::steady_clock::time_point now) {
  entries_since_sweep_ = 0;
  for (auto it = addresses_.begin(); it != addresses_.end();) {
    std::chrono::duration<double> passed = now - it->second.refilled;
    bool refilled =
        it->second.tokens + passed.count() * limits_.attempts_per_s >=
        limits_.attempts_burst;
    if (it->second.open == 0 && refilled)
      it = addresses_.erase(it);
    else
      ++it;
  }
}

admission_verdict admission::check(const admission_request& request,
                                   admitted at_accept,
                                   request_kind kind) const {
  if (at_accept == admitted::too_many_from_address)
    return {429, "too many connections from your address\n"};
  if (kind == request_kind::other)
    return {};
  constexpr auto relaxed = std::memory_order_relaxed;
  if (at_accept == admitted::node_full && kind == request_kind::poll) {
    refused_full_poll_.fetch_add(1, relaxed);
    return {503, "the node is full: try again later or another node\n"};
  }
  if (!limits_.allowed_origins.empty()) {
    auto origin = request.header("Origin");
    if (!origin.empty() && std::find(limits_.allowed_origins.begin(),
                                     limits_.allowed_origins.end(),
                                     origin) == limits_.allowed_origins.end()) {
      refused_origin_.fetch_add(1, relaxed);
      return {403, "origin not allowed: " + origin + "\n"};
    }
  }
  if (limits_.hook) {
    auto verdict = limits_.hook(request);
    if (verdict.status != 0) {
      refused_hook_.fetch_add(1, relaxed);
      return verdict;
    }
  }
  // Admitted to be refused with CLOSE 9 right after its upgrade.
  if (at_accept == admitted::node_full)
    refused_full_websocket_.fetch_add(1, relaxed);
  return {};
}

refusal_counts admission::refusals() const {
  constexpr auto relaxed = std::memory_order_relaxed;
  refusal_counts x;
  x.origin = refused_origin_.load(relaxed);
  x.per_ip = refused_per_ip_.load(relaxed);
  x.connect_rate = refused_rate_.load(relaxed);
  x.full_websocket = refused_full_websocket_.load(relaxed);
  x.full_poll = refused_full_poll_.load(relaxed);
  x.hook = refused_hook_.load(relaxed);
  return x;
}

size_t admission::open() const {
  std::lock_guard<std::mutex> guard{mutex_};
  return open_;
}

} // namespace tether::transport
