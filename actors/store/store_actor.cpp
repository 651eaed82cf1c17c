#include "tether/actors/store/store_actor.hpp"

#include <caf/actor_system.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "tether/actors/log.hpp"
#include "tether/actors/stop_children.hpp"

namespace tether {

namespace {

using pointer = store_actor::stateful_pointer<store_state>;

store_writer_actor::behavior_type
writer_behavior(store_writer_actor::pointer, std::shared_ptr<store::store> st) {
  return {
      [st](write_atom, store_batch& b) -> caf::result<bool> {
        if (auto err = st->apply(b.changes))
          return err;
        return true;
      },
      [st](flush_atom) -> caf::result<bool> {
        if (auto err = st->close_clean())
          return err;
        return true;
      },
  };
}

void commit(pointer self);

void arm(pointer self) {
  auto& st = self->state;
  if (st.armed || st.closed)
    return;
  st.armed = true;
  self->delayed_send(self, st.timing.flush, tick_atom::value);
}

void finish_flush(pointer self) {
  auto& st = self->state;
  st.closed = true;
  self->request(st.writer, caf::infinite, flush_atom::value)
      .then(
          [self](bool) {
            TETHER_LOG(info, "store",
                       "closed cleanly after " << self->state.stats.commits
                                               << " commits");
            for (auto& p : std::exchange(self->state.flushers, {}))
              p.deliver(true);
          },
          [self](const caf::error& err) {
            TETHER_LOG(
                error, "store",
                "could not mark the store closed: " << caf::to_string(err));
            for (auto& p : std::exchange(self->state.flushers, {}))
              p.deliver(false);
          });
}

/// A commit ended: free the line reservations it held and go on.
void written(pointer self) {
  auto& st = self->state;
  st.busy = false;
  st.writing.clear();
  for (auto& p : std::exchange(st.in_flight, {}))
    p.deliver(true);
  bool due = !st.waiting.empty() || !st.flushers.empty() ||
             st.pending.size() >= st.timing.max_batch;
  if (!st.pending.empty() && due && !st.stats.failing)
    return commit(self);
  if (!st.pending.empty())
    return arm(self);
  if (!st.flushers.empty())
    finish_flush(self);
}

void failed(pointer self, const caf::error& err) {
  auto& st = self->state;
  ++st.stats.failures;
  if (!st.stats.failing ||
      store_state::clock::now() - st.last_warning >= std::chrono::minutes{1}) {
    TETHER_LOG(error, "store",
               "commit failed (" << st.stats.failures
                                 << " so far), serving on and retrying: "
                                 << caf::to_string(err));
    st.last_warning = store_state::clock::now();
  }
  st.stats.failing = true;
  auto retry = std::exchange(st.writing, {});
  if (retry.size() + st.pending.size() > st.timing.max_pending) {
    TETHER_LOG(error, "store",
               "gave up " << retry.size()
                          << " unsaved changes: the store has failed too long");
  } else {
    st.pending.put_back(std::move(retry));
  }
  st.busy = false;
  // Lines serve on: their frames are not saved either way.
  for (auto& p : std::exchange(st.in_flight, {}))
    p.deliver(true);
  if (!st.flushers.empty()) {
    // Stopping: one more try, then close what can be closed.
    TETHER_LOG(error, "store", "stopping with unsaved changes");
    st.pending.take();
    return finish_flush(self);
  }
  arm(self);
}

void commit(pointer self) {
  auto& st = self->state;
  if (st.busy || st.closed || st.pending.empty())
    return;
  // Stopping, or too much waiting: everything goes.
  bool all = !st.flushers.empty() || st.pending.size() >= st.timing.max_batch;
  auto changes =
      st.pending.take(store::batch::clock::now(),
                      all ? store::batch::clock::duration{} : st.timing.hold);
  if (changes.empty()) // Only frames that may wait.
    return arm(self);
  st.busy = true;
  st.writing = std::move(changes);
  st.in_flight = std::exchange(st.waiting, {});
  auto n = st.writing.size();
  self->request(st.writer, caf::infinite, write_atom::value,
                store_batch{st.writing})
      .then(
          [self, n](bool) {
            auto& st = self->state;
            if (st.stats.failing)
              TETHER_LOG(info, "store",
                         "commits succeed again after " << st.stats.failures
                                                        << " failures");
            st.stats.failing = false;
            ++st.stats.commits;
            st.stats.changes += n;
            written(self);
          },
          [self](const caf::error& err) { failed(self, err); });
}

} // namespace

store_actor spawn_store(caf::actor_system& sys,
                        std::shared_ptr<store::store> st, store_timing timing) {
  auto writer = sys.spawn<caf::detached>(writer_behavior, std::move(st));
  return sys.spawn(
      [writer, timing](pointer self) -> store_actor::behavior_type {
        auto& st = self->state;
        st.timing = timing;
        st.writer = writer;
        st.stats.enabled = true;
        stop_children_on_exit(self,
                              [self](auto stop) { stop(self->state.writer); });
        return {
            [self](store::change& c) {
              auto& st = self->state;
              if (st.closed)
                return;
              st.pending.add(std::move(c));
              if (st.pending.size() >= st.timing.max_batch)
                commit(self);
              else
                arm(self);
            },
            [self](reserve_atom, store::change& c) -> caf::result<bool> {
              auto& st = self->state;
              if (st.closed)
                return true;
              st.pending.add(std::move(c));
              auto p = self->make_response_promise<bool>();
              st.waiting.push_back(p);
              // A line waits: commit now if the writer is free.
              commit(self);
              return p;
            },
            [self](saved_atom) -> caf::result<bool> {
              auto& st = self->state;
              if (st.closed || (st.pending.empty() && !st.busy))
                return true;
              auto p = self->make_response_promise<bool>();
              if (st.pending.empty()) {
                // All of it is in the batch being written.
                st.in_flight.push_back(p);
                return p;
              }
              st.waiting.push_back(p);
              commit(self);
              return p;
            },
            [self](flush_atom) -> caf::result<bool> {
              auto& st = self->state;
              if (st.closed)
                return true;
              auto p = self->make_response_promise<bool>();
              st.flushers.push_back(p);
              if (st.busy)
                return p; // `written` goes on.
              if (st.pending.empty())
                finish_flush(self);
              else
                commit(self);
              return p;
            },
            [self](stats_atom) {
              auto x = self->state.stats;
              x.pending = self->state.pending.size();
              return x;
            },
            [self](tick_atom) {
              self->state.armed = false;
              commit(self);
            },
        };
      });
}

} // namespace tether
