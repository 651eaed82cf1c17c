#pragma once

#include <memory>
#include <optional>
#include <utility>

namespace tether {

/// Hands a value to an actor's state at spawn time without leaving a copy
/// in the spawn function, which CAF keeps as long as the actor object
/// lives. For socket channels this matters: the state lets go of them when
/// the actor ends, a leftover copy only when the last handle is gone.
template <class T> class spawn_handoff {
 public:
  explicit spawn_handoff(T x)
      : box_(std::make_shared<std::optional<T>>(std::move(x))) {}

  /// The value; a second call gets an empty one.
  T take() const {
    T result = std::move(**box_);
    box_->reset();
    return result;
  }

 private:
  std::shared_ptr<std::optional<T>> box_;
};

} // namespace tether
