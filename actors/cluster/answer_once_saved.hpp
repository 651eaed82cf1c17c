#pragma once

#include <chrono>

#include <caf/typed_response_promise.hpp>

#include "tether/actors/atoms.hpp"

namespace tether {

/// The answer to an import: `imported` (a session or room actor just
/// spawned from a migrated record), once it says the node's store has
/// committed what it saved of itself. That ends a migration's first phase:
/// the old node lets go only then, so a crash of this node right after
/// loses nothing the old node forgot. A new actor saves from its own
/// thread of control, so only it can tell.
template <class Self, class Handle>
caf::result<Handle> answer_once_saved(Self self, Handle imported) {
  auto promise = self->template make_response_promise<Handle>();
  self->request(imported, std::chrono::seconds{10}, saved_atom::value)
      .then([promise, imported](bool) mutable { promise.deliver(imported); },
            [promise](const caf::error& err) mutable { promise.deliver(err); });
  return promise;
}

} // namespace tether
