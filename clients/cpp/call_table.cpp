#include "tether/clients/cpp/call_table.hpp"

#include <algorithm>

#include "tether/codec/upload.hpp"

namespace tether::client {

std::future<answer> call_table::add(uint64_t id, std::string op,
                                    codec::value payload) {
  auto& c = calls_[id];
  c.op = std::move(op);
  c.payload = std::move(payload);
  return c.promise.get_future();
}

std::future<answer> call_table::add_upload(uint64_t id, std::string op,
                                           std::vector<codec::value> parts) {
  auto& c = calls_[id];
  c.op = std::move(op);
  c.upload = parts.empty() ? std::vector<codec::value>(1) : std::move(parts);
  return c.promise.get_future();
}

void call_table::frames_of(uint64_t id, call& c,
                           std::vector<codec::frame>& out) {
  c.sent = true;
  c.held = false;
  c.retry_at.reset();
  if (c.upload.empty())
    return out.emplace_back(codec::request{id, c.op, c.payload}), void();
  for (auto& f : codec::upload_frames(id, c.op, c.upload))
    out.push_back(std::move(f));
}

std::vector<codec::frame> call_table::send(uint64_t id) {
  std::vector<codec::frame> out;
  auto i = calls_.find(id);
  if (i != calls_.end())
    frames_of(id, i->second, out);
  return out;
}

std::vector<codec::frame> call_table::send_all() {
  std::vector<codec::frame> out;
  out.reserve(calls_.size());
  for (auto& kv : calls_)
    frames_of(kv.first, kv.second, out);
  return out;
}

void call_table::finish(std::map<uint64_t, call>::iterator i, answer a) {
  auto promise = std::move(i->second.promise);
  calls_.erase(i);
  promise.set_value(std::move(a));
}

call_table::outcome call_table::take(codec::frame& f, unsigned max_retries,
                                     clock::time_point now) {
  return std::visit(
      [&](auto& x) -> outcome {
        using type = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<type, codec::reply> ||
                      std::is_same_v<type, codec::error> ||
                      std::is_same_v<type, codec::retry> ||
                      std::is_same_v<type, codec::result_part>) {
          auto i = calls_.find(x.id);
          if (i == calls_.end())
            return outcome::not_ours;
          answer a;
          if constexpr (std::is_same_v<type, codec::reply>) {
            a.what = answer::kind::reply;
            a.payload = std::move(x.payload);
          } else if constexpr (std::is_same_v<type, codec::error>) {
            a.what = answer::kind::error;
            a.code = x.code;
            a.message = x.message;
          } else if constexpr (std::is_same_v<type, codec::result_part>) {
            i->second.parts.push_back(std::move(x.payload));
            if (!x.last)
              return outcome::partial;
            a.what = answer::kind::parts;
            a.parts = std::move(i->second.parts);
          } else {
            // Not performed: the id is free, the call may go again.
            auto& c = i->second;
            c.sent = false;
            if (x.reason == "shutdown") {
              c.held = true;
              return outcome::held;
            }
            if (c.retries < max_retries) {
              ++c.retries;
              // At least a little: a RETRY with no wait must not spin.
              auto wait = std::max(std::chrono::milliseconds{x.wait_ms},
                                   std::chrono::milliseconds{10});
              c.retry_at = now + wait;
              return outcome::retry_later;
            }
            a.what = answer::kind::retry;
            a.wait_ms = x.wait_ms;
            a.message = x.reason;
          }
          finish(i, std::move(a));
          return outcome::done;
        } else {
          return outcome::not_ours;
        }
      },
      f);
}

std::vector<codec::frame> call_table::due(clock::time_point now) {
  std::vector<codec::frame> out;
  for (auto& kv : calls_)
    if (kv.second.retry_at && *kv.second.retry_at <= now)
      frames_of(kv.first, kv.second, out);
  return out;
}

std::optional<call_table::clock::time_point> call_table::next_due() const {
  std::optional<clock::time_point> first;
  for (const auto& kv : calls_)
    if (kv.second.retry_at && (!first || *kv.second.retry_at < *first))
      first = kv.second.retry_at;
  return first;
}

size_t call_table::fail_sent(const std::string& code,
                             const std::string& message) {
  size_t failed = 0;
  for (auto i = calls_.begin(); i != calls_.end();) {
    auto next = std::next(i);
    if (i->second.sent) {
      answer a;
      a.what = answer::kind::error;
      a.code = code;
      a.message = message;
      finish(i, std::move(a));
      ++failed;
    } else {
      i->second.parts.clear();
    }
    i = next;
  }
  return failed;
}

void call_table::fail_all(answer::kind what, const std::string& code,
                          const std::string& message) {
  while (!calls_.empty()) {
    answer a;
    a.what = what;
    a.code = code;
    a.message = message;
    finish(calls_.begin(), std::move(a));
  }
}

} // namespace tether::client
