#include "tether/store/batch.hpp"

#include <chrono>

namespace tether::store {

void batch::add(change c) {
  if (auto* k = std::get_if<keep_frame>(&c)) {
    kept_at_[{k->session, k->line}].push_back(changes_.size());
  } else if (auto* a = std::get_if<ack_frames>(&c)) {
    auto i = kept_at_.find({a->session, a->line});
    if (i != kept_at_.end()) {
      auto& at = i->second;
      size_t n = 0;
      while (n < at.size() &&
             std::get<keep_frame>(changes_[at[n]]).seq <= a->seq) {
        dead_[at[n]] = true;
        --live_;
        ++n;
      }
      at.erase(at.begin(), at.begin() + static_cast<long>(n));
      if (at.empty())
        kept_at_.erase(i);
    }
  }
  changes_.push_back(std::move(c));
  dead_.push_back(false);
  ++live_;
}

std::vector<change> batch::take() {
  std::vector<change> out;
  out.reserve(live_);
  for (size_t i = 0; i < changes_.size(); ++i)
    if (!dead_[i])
      out.push_back(std::move(changes_[i]));
  changes_.clear();
  dead_.clear();
  kept_at_.clear();
  live_ = 0;
  return out;
}

void batch::put_back(std::vector<change> older) {
  auto newer = take();
  for (auto& c : older)
    add(std::move(c));
  for (auto& c : newer)
    add(std::move(c));
}

uint64_t unix_ms() {
  using namespace std::chrono;
  return static_cast<uint64_t>(
      duration_cast<milliseconds>(system_clock::now().time_since_epoch())
          .count());
}

} // namespace tether::store
