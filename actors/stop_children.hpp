#pragma once

#include <caf/exit_reason.hpp>
#include <caf/message.hpp>

namespace tether {

/// Makes `self` stop the actors it owns before it stops itself: on an exit
/// message (CAF's anon_send_exit names the receiver as its source), it
/// sends the same exit to each actor `each_child` visits, then quits.
///
/// Instead of links or of the children monitoring their owner: CAF keeps a
/// monitor's entry, and the memory of the actor that placed it, until the
/// monitored actor ends, so children that come and go would pile up in a
/// long-lived owner; and a link costs a scan of the owner's links each time
/// a child ends.
template <class Self, class EachChild>
void stop_children_on_exit(Self* self, EachChild each_child) {
  self->set_exit_handler([self, each_child](caf::exit_msg& msg) {
    if (msg.source && msg.source != self->address())
      return;
    each_child([&](const auto& child) { self->send_exit(child, msg.reason); });
    self->quit(msg.reason);
  });
}

} // namespace tether
