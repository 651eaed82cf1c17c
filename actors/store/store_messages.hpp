#pragma once

// What the store actor and its writer exchange. Changes stay on their node
// (records are what crosses nodes), so they travel as allowed unsafe types.

#include <vector>

#include <caf/allowed_unsafe_message_type.hpp>

#include "tether/store/changes.hpp"

namespace tether {

/// Changes to commit in one transaction, in order.
struct store_batch {
  std::vector<store::change> changes;
};

} // namespace tether

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(tether::store::change)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(tether::store_batch)
