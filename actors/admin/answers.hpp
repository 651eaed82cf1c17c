#pragma once

// The admin API's answers: JSON bodies, the contract's error shape, and
// MessagePack values as JSON and back (one for one).

#include <optional>
#include <string>

#include <caf/actor_system.hpp>
#include <caf/error.hpp>
#include <nlohmann/json.hpp>

#include "tether/codec/value.hpp"
#include "tether/transport/http_api.hpp"

namespace tether::admin {

using json = nlohmann::json;

/// `body` with `status`, as JSON.
transport::http_response answer(unsigned status, const json& body);

/// 204, no body.
transport::http_response no_content();

/// The contract's error answer: {"error": CODE, "message": TEXT}.
transport::http_response failure(unsigned status, const std::string& code,
                                 const std::string& message);

/// A service's error about a `what` ("session", "room") as the API's
/// answer: 404 `WHAT_not_found`, 400 `invalid`, else 409.
transport::http_response failure_of(caf::actor_system& sys,
                                    const std::string& what,
                                    const caf::error& err);

/// A MessagePack value as JSON (maps with string keys are objects).
json to_json(const codec::value& x);

/// A JSON value as the MessagePack value it stands for.
codec::value from_json(const json& x);

/// `body` parsed as a JSON object, or nothing (an empty body is `{}`).
std::optional<json> object_of(const std::string& body);

} // namespace tether::admin
