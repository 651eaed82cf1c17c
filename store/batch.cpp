#include "tether/store/batch.hpp"

#include <chrono>
#include <optional>
#include <set>

namespace tether::store {

void batch::add(change c, clock::time_point now) {
  if (auto* k = std::get_if<keep_frame>(&c)) {
    // In seq order (an ack cancels from the front): a frame that replaces
    // one of its line (a `latest` room message) takes its place, and the
    // one it replaces is not written at all.
    auto& at = kept_at_[{k->session, k->line}];
    auto seq_of = [this](size_t i) {
      return std::get<keep_frame>(changes_[i]).seq;
    };
    auto i = at.end();
    while (i != at.begin() && seq_of(*(i - 1)) >= k->seq)
      --i;
    if (i != at.end() && seq_of(*i) == k->seq) {
      dead_[*i] = true;
      --live_;
      *i = changes_.size();
    } else {
      at.insert(i, changes_.size());
    }
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
  added_.push_back(now);
  dead_.push_back(false);
  ++live_;
}

namespace {

/// The lines and sessions whose rows change in the batch: their frames go
/// with it.
struct barriers {
  std::set<std::pair<std::string, uint64_t>> lines;
  std::set<std::string> sessions;

  explicit barriers(const std::vector<change>& xs) {
    for (const auto& x : xs) {
      if (auto p = std::get_if<put_line>(&x))
        lines.emplace(p->session, p->number);
      else if (auto d = std::get_if<drop_line>(&x))
        lines.emplace(d->session, d->line);
      else if (auto f = std::get_if<drop_frames>(&x))
        lines.emplace(f->session, f->line);
      else if (auto s = std::get_if<drop_session>(&x))
        sessions.insert(s->id);
    }
  }

  bool hit(const keep_frame& k) const {
    return sessions.count(k.session) > 0 || lines.count({k.session, k.line});
  }
};

} // namespace

std::vector<change> batch::take(clock::time_point now, clock::duration hold) {
  std::vector<change> out;
  out.reserve(live_);
  std::vector<std::pair<change, clock::time_point>> kept;
  std::optional<barriers> due;
  if (hold.count() > 0)
    due.emplace(changes_);
  for (size_t i = 0; i < changes_.size(); ++i) {
    if (dead_[i])
      continue;
    auto k = std::get_if<keep_frame>(&changes_[i]);
    if (k && due && added_[i] > now - hold && !due->hit(*k))
      kept.emplace_back(std::move(changes_[i]), added_[i]);
    else
      out.push_back(std::move(changes_[i]));
  }
  changes_.clear();
  added_.clear();
  dead_.clear();
  kept_at_.clear();
  live_ = 0;
  for (auto& [c, at] : kept)
    add(std::move(c), at);
  return out;
}

void batch::put_back(std::vector<change> older) {
  auto newer = std::exchange(changes_, {});
  auto added = std::exchange(added_, {});
  auto dead = std::exchange(dead_, {});
  kept_at_.clear();
  live_ = 0;
  // Their commit failed: nothing of them waits again.
  for (auto& c : older)
    add(std::move(c), clock::time_point::min());
  for (size_t i = 0; i < newer.size(); ++i)
    if (!dead[i])
      add(std::move(newer[i]), added[i]);
}

uint64_t unix_ms() {
  using namespace std::chrono;
  return static_cast<uint64_t>(
      duration_cast<milliseconds>(system_clock::now().time_since_epoch())
          .count());
}

} // namespace tether::store
