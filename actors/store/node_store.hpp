#pragma once

#include <caf/expected.hpp>

#include "tether/actors/interfaces.hpp"
#include "tether/config/options.hpp"
#include "tether/store/store.hpp"

namespace tether {

/// What a node starts from: its store actor (invalid with `--store=none`)
/// and what the store held.
struct opened_store {
  store_actor actor;
  store::snapshot snapshot;
};

/// Opens and reads the store the options name. The error says, for the
/// log, why the node cannot start with it (the file is left untouched).
caf::expected<opened_store> open_node_store(caf::actor_system& sys,
                                            const config::options& opts);

/// The text of an error made with a message (`caf::make_error(code, text)`).
std::string error_text(const caf::error& err);

} // namespace tether
