#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

namespace tether::transport {

/// What an admission hook sees of a request, before any upgrade.
struct admission_request {
  /// The peer's IP address.
  std::string address;
  /// The path, without the query.
  std::string path;
  /// Every header, names as sent.
  std::vector<std::pair<std::string, std::string>> headers;

  /// The first header named `name` (any case); empty when absent.
  std::string header(const std::string& name) const;
};

/// A hook's answer: `status` 0 admits; any other is the HTTP status the
/// request gets, with `reason` as its body.
struct admission_verdict {
  unsigned status = 0;
  std::string reason;
};

/// A user's own check, run on the socket's I/O thread for every request:
/// it must be quick and must not block.
using admission_hook =
    std::function<admission_verdict(const admission_request&)>;

/// What the node refuses before a request costs it anything. Zero or
/// empty: no such limit.
struct admission_limits {
  /// Origins (`https://app.example.com`) a browser may open a WebSocket
  /// or poll from; a request with another `Origin` gets 403. Requests
  /// without one (not from a browser) pass.
  std::vector<std::string> allowed_origins;
  /// Open connections from one IP address; one more gets 429.
  size_t max_per_ip = 0;
  /// Open connections in all; one more is a WebSocket closed with CLOSE 9
  /// right after its upgrade, or an HTTP request answered 503.
  size_t max_total = 0;
  /// New connections from one IP address per second, and how many may
  /// come at once (a token bucket); one more gets 429.
  double attempts_per_s = 0;
  double attempts_burst = 0;
  admission_hook hook;
};

/// How a connection was admitted at accept time.
enum class admitted {
  yes,
  /// Over `max_per_ip` or `attempts_per_s`: 429.
  too_many_from_address,
  /// Over `max_total`: CLOSE 9 or 503.
  node_full,
};

/// Connections and requests refused, by reason, since the listener
/// started (`/metrics`).
struct refusal_counts {
  /// 403: an `Origin` not allowed.
  uint64_t origin = 0;
  /// 429: over `max_per_ip`.
  uint64_t per_ip = 0;
  /// 429: over `attempts_per_s`.
  uint64_t connect_rate = 0;
  /// Over `max_total`: WebSockets closed with CLOSE 9 after the upgrade,
  /// and polls answered 503.
  uint64_t full_websocket = 0;
  uint64_t full_poll = 0;
  /// Refused by the user's hook.
  uint64_t hook = 0;
};

/// What a request asks for, as admission tells them apart.
enum class request_kind { websocket, poll, other };

/// Counts open connections per address and in all, for one listener;
/// shared by its sessions, used from any I/O thread.
class admission : public std::enable_shared_from_this<admission> {
 public:
  /// Held by a connection while it is open; releasing it counts it out.
  /// Small: every idle connection carries one.
  class ticket {
   public:
    ticket() = default;
    ticket(std::shared_ptr<admission> owner, std::string address,
           admitted verdict)
        : counted_(
              std::make_unique<counted>(std::move(owner), std::move(address))),
          verdict_(verdict) {}

    admitted verdict() const noexcept { return verdict_; }

   private:
    struct counted {
      counted(std::shared_ptr<admission> owner, std::string address)
          : owner(std::move(owner)), address(std::move(address)) {}
      counted(const counted&) = delete;
      counted& operator=(const counted&) = delete;
      ~counted() { owner->leave(address); }
      std::shared_ptr<admission> owner;
      std::string address;
    };
    std::unique_ptr<counted> counted_;
    admitted verdict_ = admitted::yes;
  };

  explicit admission(admission_limits limits);

  const admission_limits& limits() const noexcept { return limits_; }

  /// Counts in a connection from `address` (counted even when refused,
  /// until its answer is written).
  ticket enter(const std::string& address);

  /// Counts a new poll connection refused because its own ticket found
  /// the node full (`/metrics`' `full_poll`).
  void count_full_poll() const {
    refused_full_poll_.fetch_add(1, std::memory_order_relaxed);
  }

  /// The verdict for `request`, of `kind`, on a connection admitted as
  /// `at_accept`: 0 admits, else an HTTP status and `reason`. Origins and
  /// the hook judge only what clients connect with (WebSocket upgrades,
  /// polls); a full node still answers `/health` and its admin API, and
  /// admits a WebSocket here to refuse it with CLOSE 9 after the upgrade.
  admission_verdict check(const admission_request& request, admitted at_accept,
                          request_kind kind) const;

  /// Connections open now.
  size_t open() const;

  /// What was refused so far.
  refusal_counts refusals() const;

 private:
  struct per_address {
    size_t open = 0;
    double tokens = 0;
    std::chrono::steady_clock::time_point refilled;
  };

  void leave(const std::string& address);
  /// Drops addresses with nothing open and a full bucket, so that the map
  /// holds only the addresses that matter now.
  void sweep(std::chrono::steady_clock::time_point now);

  admission_limits limits_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, per_address> addresses_;
  size_t open_ = 0;
  size_t entries_since_sweep_ = 0;
  /// Counted under `mutex_` (enter) or not (check): atomics either way.
  mutable std::atomic<uint64_t> refused_origin_{0};
  std::atomic<uint64_t> refused_per_ip_{0};
  std::atomic<uint64_t> refused_rate_{0};
  mutable std::atomic<uint64_t> refused_full_websocket_{0};
  mutable std::atomic<uint64_t> refused_full_poll_{0};
  mutable std::atomic<uint64_t> refused_hook_{0};
};

} // namespace tether::transport
