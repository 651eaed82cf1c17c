#pragma once

// The connections of one workload: opens them a bounded number at a time
// (as a real crowd arrives, and so the listener's backlog never overflows),
// counts which made it, and passes their events on to the workload.

#include <functional>
#include <memory>
#include <vector>

#include "peer.hpp"

namespace tether::bench {

class fleet : public peer_handler {
 public:
  using on_event_fn = std::function<void(peer&, const event&)>;
  using on_peer_fn = std::function<void(peer&)>;

  fleet(net::io_context& ioc, const target& where, const wire& w,
        size_t max_connecting)
      : ioc_(ioc), where_(where), wire_(w), max_connecting_(max_connecting) {}

  void on_event(on_event_fn f) { on_event_ = std::move(f); }
  /// Called once each connection is ready.
  void on_ready(on_peer_fn f) { on_ready_ = std::move(f); }
  void on_closed(on_peer_fn f) { on_closed_ = std::move(f); }
  /// Called once for each connection that failed before it was ready (its
  /// failure, and a CLOSE's code and redirect, are on the peer).
  void on_failed(on_peer_fn f) { on_failed_ = std::move(f); }

  /// Connection i goes to `wheres[i % wheres.size()]` instead of the one
  /// target (members spread over the nodes of a cluster). Call before the
  /// first open.
  void spread(std::vector<target> wheres) { wheres_ = std::move(wheres); }

  /// Opens `n` more connections, each set up with `s`.
  void open(size_t n, setup s);
  /// Opens one connection per earlier one, resuming its session.
  void resume(const std::vector<std::shared_ptr<peer>>& dropped);
  /// Opens one connection resuming the stream of `token` after `last_seq`.
  void resume(std::string token, uint64_t last_seq);

  /// Every connection asked for is ready or has failed.
  bool settled() const { return ready_ + failed_ == peers_.size(); }
  size_t ready_count() const { return ready_; }
  size_t failed_count() const { return failed_; }
  size_t closed_count() const { return closed_; }
  std::vector<std::shared_ptr<peer>>& peers() { return peers_; }
  /// Why the first connection that failed did.
  const std::string& first_failure() const { return first_failure_; }

 private:
  void on_ready(peer& p, bool ok) override;
  void on_event(peer& p, const event& e) override { on_event_(p, e); }
  void on_closed(peer& p) override;
  void launch();
  /// Where the next connection goes.
  const target& next_target() const {
    return wheres_.empty() ? where_ : wheres_[peers_.size() % wheres_.size()];
  }

  net::io_context& ioc_;
  const target& where_;
  std::vector<target> wheres_;
  const wire& wire_;
  size_t max_connecting_;
  std::vector<std::shared_ptr<peer>> peers_;
  std::vector<setup> setups_;
  size_t launched_ = 0;
  size_t connecting_ = 0;
  size_t ready_ = 0;
  size_t failed_ = 0;
  size_t closed_ = 0;
  std::string first_failure_;
  on_event_fn on_event_ = [](peer&, const event&) {};
  on_peer_fn on_ready_ = [](peer&) {};
  on_peer_fn on_closed_ = [](peer&) {};
  on_peer_fn on_failed_ = [](peer&) {};
};

} // namespace tether::bench
