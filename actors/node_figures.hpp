#pragma once

// A node's figures, gathered from their owners: what `sys.info` answers
// and the log's summary reports.

#include <chrono>
#include <memory>

#include "tether/actors/interfaces.hpp"

namespace tether {

/// Who owns which figure.
struct figure_sources {
  node_actor node;
  session_supervisor_actor sessions;
  room_service_actor rooms;
  /// Invalid without a store.
  store_actor store;
  cluster_actor cluster;
};

struct node_figures {
  node_stats node;
  uint64_t sessions = 0;
  uint64_t rooms = 0;
  /// Not `enabled` without a store.
  store_stats store;
  /// Every node known, this one first.
  std::vector<node_entry> cluster;
};

/// Asks each owner in turn, then calls `done(node_figures)`, or `fail` with
/// the first error (each owner gets 5 s).
template <class Self, class Done, class Fail>
void gather_figures(Self* self, const figure_sources& from, Done done,
                    Fail fail) {
  auto timeout = std::chrono::seconds{5};
  auto x = std::make_shared<node_figures>();
  auto with_cluster = [self, from, x, done, fail, timeout] {
    if (!from.cluster)
      return done(*x);
    self->request(from.cluster, timeout, get_atom::value)
        .then(
            [x, done](std::vector<node_entry>& nodes) {
              x->cluster = std::move(nodes);
              done(*x);
            },
            fail);
  };
  auto with_store = [self, from, x, with_cluster, fail, timeout] {
    if (!from.store)
      return with_cluster();
    self->request(from.store, timeout, stats_atom::value)
        .then(
            [x, with_cluster](const store_stats& s) {
              x->store = s;
              with_cluster();
            },
            fail);
  };
  auto with_rooms = [self, from, x, with_store, fail, timeout] {
    self->request(from.rooms, timeout, stats_atom::value)
        .then(
            [x, with_store](uint64_t n) {
              x->rooms = n;
              with_store();
            },
            fail);
  };
  auto with_sessions = [self, from, x, with_rooms, fail, timeout] {
    self->request(from.sessions, timeout, stats_atom::value)
        .then(
            [x, with_rooms](uint64_t n) {
              x->sessions = n;
              with_rooms();
            },
            fail);
  };
  self->request(from.node, timeout, stats_atom::value)
      .then(
          [x, with_sessions](const node_stats& n) {
            x->node = n;
            with_sessions();
          },
          fail);
}

} // namespace tether
