#pragma once

// Sessions resuming in a cluster as the contract's clients do: a
// SESSION_RESUME at some node, and on CLOSE 5 with a redirect the same
// resume again at the node it names (at most 3 redirects in a row). One
// fleet per node; each connection carries the number of its session.

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "cluster.hpp"
#include "fleet.hpp"

namespace tether::bench {

class resumer {
 public:
  using on_session_fn = std::function<void(size_t session, peer&)>;
  using on_event_fn = std::function<void(size_t session, peer&, const event&)>;
  using on_failed_fn =
      std::function<void(size_t session, const std::string& why)>;

  explicit resumer(context& cx);

  /// The session's stream is back (at the node that owns it).
  void on_resumed(on_session_fn f) { on_resumed_ = std::move(f); }
  void on_event(on_event_fn f) { on_event_ = std::move(f); }
  /// A resume failed for good (refused, no redirect, or one too many).
  void on_failed(on_failed_fn f) { on_failed_ = std::move(f); }

  /// Resumes `session`'s stream `token` after `last_seq` at node `at`.
  void resume(size_t at, size_t session, std::string token, uint64_t last_seq);

  uint64_t redirects() const { return redirects_; }
  /// Sessions resumed at each node.
  const std::vector<uint64_t>& resumed_at() const { return resumed_at_; }
  /// SEQ gaps and duplicates over every connection.
  uint64_t gaps() const { return total(&peer::gaps); }
  uint64_t duplicates() const { return total(&peer::duplicates); }

 private:
  struct attempt {
    size_t session = 0;
    int hops = 0;
  };
  void start(size_t at, attempt a, std::string token, uint64_t last_seq);
  void failed(size_t at, peer& p);
  uint64_t total(uint64_t (peer::*count)() const) const;

  context& cx_;
  std::vector<std::unique_ptr<fleet>> fleets_;
  std::vector<std::vector<attempt>> attempts_; // by node, by peer index
  std::vector<uint64_t> resumed_at_;
  uint64_t redirects_ = 0;
  on_session_fn on_resumed_ = [](size_t, peer&) {};
  on_event_fn on_event_ = [](size_t, peer&, const event&) {};
  on_failed_fn on_failed_ = [](size_t, const std::string&) {};
};

} // namespace tether::bench
