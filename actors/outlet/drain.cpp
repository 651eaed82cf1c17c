#include "tether/actors/outlet/drain.hpp"

#include <caf/send.hpp>

#include "tether/actors/interfaces.hpp"

namespace tether {

bool drain::begin(caf::scheduled_actor* self, const lazy_hub& hub,
                  std::chrono::milliseconds grace) {
  if (active_)
    return false;
  active_ = true;
  if (hub.open_count() == 0)
    return true;
  caf::delayed_anon_send(caf::actor_cast<outlet_actor>(self), grace,
                         grace_atom::value);
  return false;
}

void drain::on_grace(lazy_hub& hub) const {
  if (active_)
    hub.fail_open("shutdown",
                  "the node shut down before this request finished");
}

} // namespace tether
