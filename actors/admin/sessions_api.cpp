#include "tether/actors/admin/routes.hpp"

namespace tether::admin {

namespace {

/// POST /api/v1/sessions/ID/signal {name, payload}.
caf::result<transport::http_response>
signal(pointer self, const std::string& id, const std::string& body) {
  auto parsed = object_of(body);
  if (!parsed || !parsed->contains("name") || !(*parsed)["name"].is_string())
    return failure(400, "invalid", "expected {name: str, payload}");
  codec::signal x{(*parsed)["name"].get<std::string>(),
                  parsed->contains("payload") ? from_json((*parsed)["payload"])
                                              : codec::value{}};
  return ask<bool>(
      self, self->state.sessions, "session",
      [](bool) { return answer(202, json::object()); }, signal_atom::value, id,
      x, false);
}

} // namespace

caf::result<transport::http_response> sessions_api(pointer self,
                                                   const call& c) {
  if (auto r = shared_rows(self, self->state.sessions, "session", c))
    return std::move(*r);
  const auto& p = c.parts;
  if (p.size() == 3 && c.method == "POST" && p[2] == "signal")
    return signal(self, p[1], c.body);
  return failure(404, "unknown_op", "no such path");
}

} // namespace tether::admin
