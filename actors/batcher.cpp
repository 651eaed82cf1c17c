#include "actors/batcher.hpp"

#include "actors/spawn_handoff.hpp"

#include <caf/actor_system.hpp>
#include <caf/typed_event_based_actor.hpp>

namespace tether {

namespace {

struct batcher_state {
  static inline const char* name = "tether.batcher";
  std::shared_ptr<transport::channel> channel;
  std::string pending;
  bool urgent = false;
  bool timer_set = false;
};

using pointer = batcher_actor::stateful_pointer<batcher_state>;

void write(pointer self) {
  auto& st = self->state;
  if (!st.pending.empty())
    st.channel->send(transport::make_shared_bytes(std::move(st.pending)));
  st.pending.clear();
  st.urgent = false;
}

} // namespace

batcher_actor spawn_batcher(caf::actor_system& sys,
                            std::shared_ptr<transport::channel> channel,
                            const config::limits& limits) {
  auto window = std::chrono::milliseconds{limits.batch_window_ms};
  auto max_bytes = limits.batch_max_bytes;
  spawn_handoff<std::shared_ptr<transport::channel>> handoff{
      std::move(channel)};
  return sys.spawn([handoff, window,
                    max_bytes](pointer self) -> batcher_actor::behavior_type {
    self->state.channel = handoff.take();
    return {
        [self, window, max_bytes](outgoing_frame& x) {
          auto& st = self->state;
          if (!st.pending.empty() &&
              st.pending.size() + x.bytes->size() > max_bytes)
            write(self);
          st.pending += *x.bytes;
          st.urgent = st.urgent || x.urgent;
          if (st.pending.size() >= max_bytes ||
              (st.urgent && self->mailbox().empty()) || window.count() == 0) {
            write(self);
          } else if (!st.urgent && !st.timer_set) {
            st.timer_set = true;
            self->delayed_send(self, window, flush_atom::value);
          }
        },
        [self](detach_atom, const caf::actor& connection, bool close,
               uint64_t code, const std::string& message) {
          write(self);
          self->send(caf::actor_cast<connection_actor>(connection),
                     detach_atom::value, close, code, message);
        },
        [self](flush_atom) {
          self->state.timer_set = false;
          write(self);
        },
    };
  });
}

} // namespace tether
