#pragma once

#include <chrono>
#include <memory>
#include <vector>

#include "tether/actors/interfaces.hpp"
#include "tether/store/batch.hpp"
#include "tether/store/store.hpp"

namespace tether {

/// When the store commits.
struct store_timing {
  /// The longest a change waits for its commit.
  std::chrono::milliseconds flush{10};
  /// The longest a kept frame may wait besides, while its line's row does
  /// not change: most are acknowledged before, and never written (see
  /// `store::batch`). Above the lines' 500 ms settle time, so that a
  /// settled line's frames are on disk with its row.
  std::chrono::milliseconds hold{1000};
  /// A group this big is committed without waiting for the timer.
  size_t max_batch = 20000;
  /// While commits fail, at most this many changes wait to be retried;
  /// beyond, the oldest are given up (and logged): memory stays bounded.
  size_t max_pending = 200000;
};

/// The state of the store actor: the group waiting for its commit, the
/// one being committed, and who waits for which.
struct store_state {
  static inline const char* name = "tether.store";

  using promise = caf::typed_response_promise<bool>;
  using clock = std::chrono::steady_clock;

  store_timing timing;
  store_writer_actor writer;
  store::batch pending;
  /// Reservations in `pending`, and in the batch being written.
  std::vector<promise> waiting;
  std::vector<promise> in_flight;
  /// The changes being written, kept to retry them if the commit fails.
  std::vector<store::change> writing;
  bool busy = false;
  bool armed = false;
  /// A flush was asked for (the node stops): commit all, then close.
  std::vector<promise> flushers;
  bool closed = false;
  store_stats stats;
  clock::time_point last_warning{};
};

/// Spawns the store actor of a node and its writer, on a thread of its own,
/// which owns `st` from now on.
store_actor spawn_store(caf::actor_system& sys,
                        std::shared_ptr<store::store> st, store_timing timing);

} // namespace tether
