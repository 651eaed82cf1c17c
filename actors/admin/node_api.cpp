#include "tether/actors/admin/routes.hpp"

#include <memory>

namespace tether::admin {

namespace {

json node_json(const node_figures& x) {
  json cluster = json::array();
  for (const auto& n : x.cluster)
    cluster.push_back({{"node", n.name}, {"url", n.url}, {"state", n.state}});
  return {{"node", x.node.node},         {"version", 1},
          {"uptime_s", x.node.uptime_s}, {"connections", x.node.connections},
          {"sessions", x.sessions},      {"rooms", x.rooms},
          {"cluster", cluster}};
}

} // namespace

caf::result<transport::http_response> node_api(pointer self, const call& c) {
  auto& st = self->state;
  if (c.method == "GET" && c.parts.size() == 1 && c.parts[0] == "node") {
    auto promise =
        std::make_shared<caf::typed_response_promise<transport::http_response>>(
            self->make_response_promise<transport::http_response>());
    gather_figures(
        self, st.figures,
        [promise](const node_figures& x) {
          promise->deliver(answer(200, node_json(x)));
        },
        [promise](const caf::error&) {
          promise->deliver(failure(409, "internal", "figures unavailable"));
        });
    return *promise;
  }
  if (c.method == "POST" && c.parts.size() == 1 && c.parts[0] == "drain") {
    st.drain();
    return answer(202, json::object());
  }
  return failure(404, "unknown_op", "no such path");
}

page_request page_of(const call& c) {
  page_request page;
  if (auto i = c.query.find("after"); i != c.query.end())
    page.after = i->second;
  if (auto i = c.query.find("limit"); i != c.query.end()) {
    const auto& text = i->second;
    uint64_t n = 0;
    bool digits = !text.empty() && text.size() <= 6 &&
                  text.find_first_not_of("0123456789") == std::string::npos;
    if (digits)
      n = std::stoull(text);
    if (!digits || n == 0 || n > max_page)
      page.bad = failure(400, "invalid",
                         "limit must be 1 to " + std::to_string(max_page));
    page.limit = n;
  }
  return page;
}

transport::http_response page_answer(const std::string& key,
                                     std::vector<codec::value> items,
                                     const page_request& page,
                                     const std::string& id_key) {
  json list = json::array();
  json next = nullptr;
  for (size_t i = 0; i < items.size() && i < page.limit; ++i)
    list.push_back(to_json(items[i]));
  if (items.size() > page.limit && !list.empty())
    next = list.back()[id_key];
  return answer(200, {{key, list}, {"next", next}});
}

} // namespace tether::admin
