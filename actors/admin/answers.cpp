#include "tether/actors/admin/answers.hpp"

namespace tether::admin {

transport::http_response answer(unsigned status, const json& body) {
  // Replaces bytes that are not UTF-8 (a path or an id quoted back): the
  // default dump() throws on them, and an exception ends the admin actor.
  return {status, "application/json",
          body.dump(-1, ' ', false, json::error_handler_t::replace)};
}

transport::http_response no_content() {
  return {204, "application/json", {}};
}

transport::http_response failure(unsigned status, const std::string& code,
                                 const std::string& message) {
  return answer(status, json{{"error", code}, {"message", message}});
}

transport::http_response failure_of(caf::actor_system& sys,
                                    const std::string& what,
                                    const caf::error& err) {
  auto text = sys.render(err);
  auto not_found = what + "_not_found";
  if (text.find(not_found) != std::string::npos)
    return failure(404, not_found, "no " + what + " of this id");
  // The services' errors carry the contract's code first in their text
  // ("invalid", or "invalid: " and why), after CAF's own category.
  if (auto at = text.find("\"invalid"); at != std::string::npos) {
    const std::string prefix = "\"invalid: ";
    auto reason = text.compare(at, prefix.size(), prefix) != 0
                      ? std::string{"the node named in 'to' is not up"}
                      : text.substr(at + prefix.size(), text.find('"', at + 1) -
                                                            at - prefix.size());
    return failure(400, "invalid", reason);
  }
  return failure(409, "conflict", "the " + what + " did not answer: " + text);
}

json to_json(const codec::value& x) {
  const auto& bytes = x.encoded();
  auto result = json::from_msgpack(bytes.begin(), bytes.end(), true, false);
  return result.is_discarded() ? json{} : result;
}

codec::value from_json(const json& x) {
  auto packed = json::to_msgpack(x);
  return codec::value::from_encoded({packed.begin(), packed.end()});
}

std::optional<json> object_of(const std::string& body) {
  if (body.find_first_not_of(" \t\r\n") == std::string::npos)
    return json::object();
  auto parsed = json::parse(body, nullptr, false);
  if (parsed.is_discarded() || !parsed.is_object())
    return std::nullopt;
  return parsed;
}

} // namespace tether::admin
