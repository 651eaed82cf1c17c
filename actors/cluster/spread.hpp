#pragma once

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <caf/typed_response_promise.hpp>

#include "tether/actors/cluster/peers.hpp"
#include "tether/actors/log.hpp"
#include "tether/actors/traffic.hpp"

namespace tether {

/// How a drain went for one kind of thing (sessions, rooms).
struct spread_result {
  size_t moved = 0;
  size_t failed = 0;
};

/// Moves one thing (`id`) to node `node`, then calls `done(true)` once it
/// lives there, `done(false)` if it stayed.
using move_one =
    std::function<void(const std::string& id, const std::string& node,
                       std::function<void(bool)> done)>;

/// Moves every one of `ids` to one of `nodes`, taking them in turn so each
/// gets as many, with at most `window` moves under way at once; then calls
/// `finished`. A drain's work, for sessions and rooms alike. Every callback
/// runs in the calling actor (response handlers), so nothing is shared
/// between threads.
inline void spread_out(std::vector<std::string> ids,
                       std::vector<std::string> nodes, size_t window,
                       move_one move,
                       std::function<void(spread_result)> finished) {
  struct run {
    std::vector<std::string> ids;
    std::vector<std::string> nodes;
    move_one move;
    std::function<void(spread_result)> finished;
    size_t next = 0;
    size_t under_way = 0;
    spread_result result;
    size_t window = 1;
    /// In `pump`: a move that ends at once lets the loop go on instead of
    /// nesting another.
    bool pumping = false;
    /// Starts moves until the window is full or none are left.
    static void pump(const std::shared_ptr<run>& self) {
      if (self->pumping)
        return;
      self->pumping = true;
      while (self->under_way < std::max<size_t>(1, self->window) &&
             self->next < self->ids.size()) {
        auto i = self->next++;
        ++self->under_way;
        self->move(self->ids[i], self->nodes[i % self->nodes.size()],
                   [self](bool moved) {
                     --self->under_way;
                     ++(moved ? self->result.moved : self->result.failed);
                     pump(self);
                   });
      }
      self->pumping = false;
      if (self->under_way == 0 && self->next == self->ids.size() &&
          self->finished)
        std::exchange(self->finished, nullptr)(self->result);
    }
  };
  auto r = std::make_shared<run>();
  r->ids = std::move(ids);
  r->nodes = std::move(nodes);
  r->move = std::move(move);
  r->finished = std::move(finished);
  r->window = window;
  if (r->nodes.empty()) { // Nowhere to go: nothing moves.
    r->next = r->ids.size();
    r->result.failed = r->ids.size();
  }
  run::pump(r);
}

/// What a move calls when it ends: no error once the thing lives on the
/// other node, else why it stayed.
using move_done = std::function<void(const caf::error&)>;

/// `done`, counting the move into `counts` (null: not counted) as one of
/// `moved` or `failed`.
inline move_done counted(move_done done, std::shared_ptr<traffic> counts,
                         striped_counter traffic::*moved,
                         striped_counter traffic::*failed) {
  if (!counts)
    return done;
  return [done, counts, moved, failed](const caf::error& err) {
    ((*counts).*(err ? failed : moved)).add();
    done(err);
  };
}

/// Asks `thing` (a session or a room actor) to move to the node `to`, which
/// it is told as `name` (its URL or its node name); `done` when it ends.
template <class Self, class Handle>
void ask_to_move(Self self, const Handle& thing, std::chrono::milliseconds wait,
                 const cluster_peers::peer& to, const std::string& name,
                 move_done done) {
  self->request(thing, wait, migrate_atom::value,
                std::make_shared<const node_services>(to.services), name)
      .then(
          [done](bool moved) {
            done(moved
                     ? caf::error{}
                     : caf::make_error(caf::sec::invalid_argument, "internal"));
          },
          [done](const caf::error& err) { done(err); });
}

/// A move's `done` that answers `promise` with the node's name.
inline move_done answer_with(caf::typed_response_promise<std::string> promise,
                             std::string node) {
  return [promise, node](const caf::error& err) mutable {
    if (err)
      promise.deliver(err);
    else
      promise.deliver(node);
  };
}

/// Things a drain moves at once: enough to keep the links to the other
/// nodes busy, few enough that each move's timeout means something.
constexpr size_t drain_window = 256;

/// The names of the other nodes that are up: where a drain sends things.
inline std::vector<std::string> nodes_up(const peer_table& peers) {
  std::vector<std::string> result;
  if (peers)
    for (const auto& kv : peers->nodes)
      if (kv.second.entry.state == "up")
        result.push_back(kv.first);
  return result;
}

/// The keys of a map: the ids of what a service has.
template <class Map> std::vector<std::string> keys_of(const Map& map) {
  std::vector<std::string> result;
  result.reserve(map.size());
  for (const auto& kv : map)
    result.push_back(kv.first);
  return result;
}

/// A drain of one service: every one of `ids` (`what`, a literal:
/// "sessions", "rooms") goes to one of the other nodes up in `peers`, as
/// many to each, through `move(id, node, done)`. Answers how many moved.
template <class Self, class Move>
caf::result<uint64_t> hand_over_all(Self self, const char* what,
                                    std::vector<std::string> ids,
                                    peer_table peers, Move move) {
  auto nodes = nodes_up(peers);
  if (nodes.empty() || ids.empty())
    return uint64_t{0};
  TETHER_LOG(info, what,
             "handing " << ids.size() << " " << what << " to " << nodes.size()
                        << " other node(s)");
  auto promise = self->template make_response_promise<uint64_t>();
  // The table as the drain began: its peers stay valid to the end.
  auto one = [peers, move](const std::string& id, const std::string& node,
                           std::function<void(bool)> done) {
    auto to = peers->serving(node);
    if (!to)
      return done(false);
    move(id, *to, [done](const caf::error& err) { done(!err); });
  };
  spread_out(std::move(ids), std::move(nodes), drain_window, std::move(one),
             [promise, what](spread_result r) mutable {
               TETHER_LOG(info, what,
                          "drain: " << r.moved << " " << what
                                    << " handed over, " << r.failed
                                    << " stayed");
               promise.deliver(static_cast<uint64_t>(r.moved));
             });
  return promise;
}

} // namespace tether
