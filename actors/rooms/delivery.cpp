#include "tether/actors/rooms/delivery.hpp"

#include "tether/codec/payload_fields.hpp"

namespace tether {

std::string read_delivery(const codec::value& payload, room_delivery& out) {
  out = room_delivery::keep();
  auto given = codec::lookup(payload, "delivery");
  std::string name = "keep";
  if (!given.is_nil() && !codec::get_string(payload, "delivery", name))
    return "delivery must be a string: keep, drop or latest";
  if (name == "drop")
    out.kind = delivery_class::drop;
  else if (name == "latest")
    out.kind = delivery_class::latest;
  else if (name != "keep")
    return "unknown delivery '" + name + "': keep, drop or latest";
  if (out.kind != delivery_class::latest)
    return {}; // A key is what latest replaces by: others ignore it.
  if (!codec::get_string(payload, "key", out.key))
    return "delivery 'latest' needs a key (str)";
  return {};
}

} // namespace tether
