#pragma once

#include <chrono>
#include <cstdint>

#include <caf/scheduled_actor.hpp>

#include "tether/actors/lazy_hub.hpp"
#include "tether/codec/frames.hpp"

namespace tether {

/// The node's shutdown as one client's requests see it: a new request gets
/// RETRY `shutdown`, the open ones get the grace period and then ERROR
/// `shutdown`, and once none is open the client gets CLOSE 5. The
/// connection and the session's line both drain this way.
class drain {
 public:
  /// CLOSE 5's message at the end of a drain.
  static constexpr const char* closing_text = "the node is shutting down";

  bool active() const { return active_; }

  /// Starts draining `hub`'s requests. True if none is open: the owner
  /// closes at once; else `grace_atom` reaches the owner after `grace`.
  bool begin(caf::scheduled_actor* self, const lazy_hub& hub,
             std::chrono::milliseconds grace);

  /// Takes requests again (a migration that failed).
  void end() { active_ = false; }

  /// The grace period ran out: what is still open fails.
  void on_grace(lazy_hub& hub) const;

  /// Whether request `id` is refused with `refusal(id)`. A duplicate of an
  /// open id is not: RETRY would say it never ran.
  bool refuses(const lazy_hub& hub, uint64_t id) const {
    return active_ && !hub.is_open(id);
  }

  static codec::retry refusal(uint64_t id) {
    return codec::retry{id, 0, "shutdown"};
  }

 private:
  bool active_ = false;
};

} // namespace tether
