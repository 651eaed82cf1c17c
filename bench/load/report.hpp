#pragma once

// One JSON object per run on stdout: flat keys that bench/report.py reads.

#include <string>
#include <vector>

#include "histogram.hpp"
#include "probe.hpp"

namespace tether::bench {

class json {
 public:
  json& add(const std::string& key, const std::string& v);
  json& add(const std::string& key, const char* v) {
    return add(key, std::string{v});
  }
  json& add(const std::string& key, double v);
  json& add(const std::string& key, uint64_t v);
  json& add(const std::string& key, bool v);
  /// `v` is JSON already (an object or an array).
  json& add_raw(const std::string& key, const std::string& v);
  /// The figures of a measured phase, keys prefixed with `prefix`.
  json& add(const std::string& prefix, const interval& i);
  /// p50, p95, p99, p99.9 and max in µs, keys prefixed with `prefix`.
  json& add(const std::string& prefix, const histogram& h);

  std::string str() const { return "{" + body_ + "}"; }

 private:
  std::string& key(const std::string& k);
  std::string body_;
};

/// `[a,b,c]` of JSON objects.
std::string json_array(const std::vector<json>& items);

} // namespace tether::bench
