#include "tether/actors/paced_sender.hpp"

#include <caf/actor_system.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/stateful_actor.hpp>

namespace tether {

namespace {

/// Bytes sent on one grant at most: enough to keep the socket busy.
constexpr size_t window_bytes = 256 * 1024;

struct paced_state {
  static inline const char* name = "tether.paced_sender";
  uint64_t next = 0;
};

} // namespace

caf::actor spawn_paced_sender(caf::actor_system& sys, client_actor to,
                              uint64_t count, item_emitter emit) {
  return sys.spawn(
      [to, count,
       emit](caf::stateful_actor<paced_state>* self) -> caf::behavior {
        // Credit comes first: the client grants each window out of what its
        // outbox can take from every sender at once.
        auto ask = [self, to, count] {
          self->request(to, caf::infinite, credit_atom::value,
                        count - self->state.next)
              .then(
                  [self](uint64_t frames) {
                    if (frames > 0)
                      self->send(self, tick_atom::value, frames);
                    else
                      self->quit();
                  },
                  [self](const caf::error&) { self->quit(); });
        };
        ask();
        return {
            [=](tick_atom, uint64_t frames) {
              auto& st = self->state;
              size_t sent = 0;
              for (uint64_t i = 0;
                   i < frames && st.next < count && sent < window_bytes; ++i)
                sent += emit(st.next++);
              if (st.next >= count)
                return self->quit();
              ask();
            },
        };
      });
}

} // namespace tether
