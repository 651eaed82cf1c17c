#include "report.hpp"

#include <cmath>
#include <cstdio>

namespace tether::bench {

std::string& json::key(const std::string& k) {
  if (!body_.empty())
    body_ += ',';
  body_ += '"' + k + "\":";
  return body_;
}

json& json::add(const std::string& k, const std::string& v) {
  auto& o = key(k);
  o += '"';
  for (char c : v) {
    if (c == '"' || c == '\\')
      o += '\\';
    o += static_cast<unsigned char>(c) < 0x20 ? ' ' : c;
  }
  o += '"';
  return *this;
}

json& json::add(const std::string& k, double v) {
  auto& o = key(k);
  if (!std::isfinite(v)) {
    o += "null";
    return *this;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  o += buf;
  return *this;
}

json& json::add(const std::string& k, uint64_t v) {
  key(k) += std::to_string(v);
  return *this;
}

json& json::add(const std::string& k, bool v) {
  key(k) += v ? "true" : "false";
  return *this;
}

json& json::add_raw(const std::string& k, const std::string& v) {
  key(k) += v;
  return *this;
}

json& json::add(const std::string& p, const interval& i) {
  add(p + "wall_s", i.wall_s);
  add(p + "server_cpu_s", i.server_cpu_s);
  add(p + "server_util", i.server_util());
  add(p + "gen_util", i.self_util());
  add(p + "other_util", i.other_util());
  add(p + "steal_util", i.steal_util());
  return *this;
}

json& json::add(const std::string& p, const histogram& h) {
  add(p + "p50_us", h.percentile_us(0.50));
  add(p + "p95_us", h.percentile_us(0.95));
  add(p + "p99_us", h.percentile_us(0.99));
  add(p + "p999_us", h.percentile_us(0.999));
  add(p + "max_us", h.max_us());
  return *this;
}

std::string json_array(const std::vector<json>& items) {
  std::string out = "[";
  for (size_t i = 0; i < items.size(); ++i)
    out += (i ? "," : "") + items[i].str();
  return out + "]";
}

} // namespace tether::bench
