#pragma once

#include <utility>

#include "tether/actors/interfaces.hpp"

namespace tether {

/// How an actor reaches the node's store; saving is a no-op without one
/// (`--store=none`).
class store_link {
 public:
  store_link() = default;
  explicit store_link(store_actor actor) : actor_(std::move(actor)) {}

  bool enabled() const noexcept { return static_cast<bool>(actor_); }
  const store_actor& actor() const noexcept { return actor_; }

  /// Calls `then()` once every change sent to the store so far is
  /// committed; at once without a store, and also when the store failed
  /// (the node serves on without it).
  template <class Self, class F> void after_saved(Self* self, F then) const {
    if (!actor_)
      return then();
    self->request(actor_, caf::infinite, saved_atom::value)
        .then([then](bool) mutable { then(); },
              [then](const caf::error&) mutable { then(); });
  }

  /// Sends `c` to the store: never waits.
  template <class Self> void save(Self* self, store::change c) const {
    if (actor_)
      self->send(actor_, std::move(c));
  }

 private:
  store_actor actor_;
};

} // namespace tether
