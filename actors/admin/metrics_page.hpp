#pragma once

#include <string>

#include "tether/actors/node_figures.hpp"
#include "tether/actors/session/kept_budget.hpp"
#include "tether/actors/traffic.hpp"
#include "tether/transport/admission.hpp"

namespace tether::admin {

/// What `/metrics` shows, read from its owners.
struct metrics_sources {
  const node_figures& figures;
  /// Null: nothing counted (a node without connections' counts).
  const traffic* counts = nullptr;
  /// Null: no admission limits, nothing refused there.
  const transport::admission* admits = nullptr;
  /// Null: nothing kept.
  const kept_budget* kept = nullptr;
};

/// The node's metrics in Prometheus' text format, version 0.0.4.
std::string render_metrics(const metrics_sources& x);

/// The content type of that format.
constexpr const char* metrics_content_type =
    "text/plain; version=0.0.4; charset=utf-8";

} // namespace tether::admin
