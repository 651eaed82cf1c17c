#pragma once

#include <functional>
#include <memory>
#include <utility>

#include "tether/actors/request_hub.hpp"

namespace tether {

/// A request hub made on first use. A connection with a session hands its
/// requests to the stream, and the stream of an idle session has none: they
/// should not keep a hub (about half a KiB) while idle.
class lazy_hub {
 public:
  using factory = std::function<std::unique_ptr<request_hub>()>;

  /// How to make the hub when it is first needed.
  void init(factory make) { make_ = std::move(make); }

  /// The hub, made now if it was not yet.
  request_hub& get() {
    if (!hub_)
      hub_ = make_();
    return *hub_;
  }

  // What concerns open requests only: without a hub there are none, so
  // these do not make one.

  size_t open_count() const { return hub_ ? hub_->open_count() : 0; }
  bool is_open(uint64_t id) const { return hub_ && hub_->is_open(id); }
  double busy() const { return hub_ ? hub_->busy() : 0.0; }

  /// A behavior's REPLY, ERROR, RETRY or RESULT_PART.
  template <class Answer> void answer(Answer&& x) {
    if (hub_)
      hub_->answer(std::forward<Answer>(x));
  }

  void behavior_down(const caf::down_msg& msg) {
    if (hub_)
      hub_->behavior_down(msg);
  }

  void fail_open(const std::string& code, const std::string& message) {
    if (hub_)
      hub_->fail_open(code, message);
  }

  void abandon() {
    if (hub_)
      hub_->abandon();
  }

 private:
  factory make_;
  std::unique_ptr<request_hub> hub_;
};

} // namespace tether
