#include "tether/actors/reporter.hpp"

#include <caf/actor_system.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "tether/actors/log.hpp"

namespace tether {

namespace {

struct reporter_state {
  static inline const char* name = "tether.reporter";

  report_sources sources;
  std::chrono::seconds every{60};
  uint64_t last_in = 0;
  uint64_t last_out = 0;
  std::chrono::steady_clock::time_point last_at;
};

using pointer = reporter_actor::stateful_pointer<reporter_state>;

/// Messages per second since the last report.
double rate(uint64_t now, uint64_t before, double seconds) {
  return seconds > 0 ? static_cast<double>(now - before) / seconds : 0.0;
}

void report(pointer self, const node_figures& x) {
  auto& st = self->state;
  auto now = std::chrono::steady_clock::now();
  double seconds = std::chrono::duration<double>(now - st.last_at).count();
  auto in = st.sources.counts->messages_in.value();
  auto out = st.sources.counts->messages_out.value();
  char rates[96];
  std::snprintf(rates, sizeof(rates), "%.1f msg/s in, %.1f out",
                rate(in, st.last_in, seconds), rate(out, st.last_out, seconds));
  TETHER_LOG(info, "summary",
             x.node.connections << " connections, " << x.sessions
                                << " sessions, " << x.rooms << " rooms; "
                                << rates << "; store " << health_of(x.store));
  st.last_in = in;
  st.last_out = out;
  st.last_at = now;
}

} // namespace

reporter_actor spawn_reporter(caf::actor_system& sys, report_sources sources,
                              std::chrono::seconds every) {
  return sys.spawn(
      [sources, every](pointer self) -> reporter_actor::behavior_type {
        auto& st = self->state;
        st.sources = sources;
        st.every = every;
        st.last_at = std::chrono::steady_clock::now();
        self->delayed_send(self, every, tick_atom::value);
        return {
            [self](tick_atom) {
              auto& st = self->state;
              self->delayed_send(self, st.every, tick_atom::value);
              gather_figures(
                  self, st.sources.owners,
                  [self](const node_figures& x) { report(self, x); },
                  [](const caf::error&) {}); // The next tick tries again.
            },
        };
      });
}

} // namespace tether
