#include "actors/paced_sender.hpp"

#include <caf/actor_system.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/stateful_actor.hpp>

namespace tether {

namespace {

/// Bytes sent before asking for credit: enough to keep the socket busy.
constexpr size_t window_bytes = 256 * 1024;

/// Items sent before asking for credit: well under a stream's frame limit
/// (`max_outbox_frames`), so that tiny items cannot overflow it either.
constexpr uint64_t window_items = 256;

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
        self->send(self, tick_atom::value);
        return {
            [=](tick_atom) {
              auto& st = self->state;
              size_t sent = 0;
              uint64_t items = 0;
              while (st.next < count && sent < window_bytes &&
                     items++ < window_items)
                sent += emit(st.next++);
              if (st.next >= count) {
                self->quit();
                return;
              }
              self->request(to, caf::infinite, credit_atom::value)
                  .then(
                      [self](bool more) {
                        if (more)
                          self->send(self, tick_atom::value);
                        else
                          self->quit();
                      },
                      [self](const caf::error&) { self->quit(); });
            },
        };
      });
}

} // namespace tether
