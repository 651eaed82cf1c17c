#pragma once

#include <deque>
#include <memory>
#include <utility>

namespace tether::containers {

/// A FIFO that holds no memory while empty. libstdc++'s std::deque
/// allocates about 600 bytes as soon as it is constructed; an idle
/// connection has several queues, nearly always empty, and a node holds
/// many idle connections.
template <class T> class lazy_queue {
 public:
  bool empty() const { return !items_ || items_->empty(); }
  size_t size() const { return items_ ? items_->size() : 0; }

  void push_back(T x) {
    if (!items_)
      items_ = std::make_unique<std::deque<T>>();
    items_->push_back(std::move(x));
  }

  T& front() { return items_->front(); }
  const T& front() const { return items_->front(); }

  /// The `i`th item from the front (there must be more than `i`).
  T& operator[](size_t i) { return (*items_)[i]; }

  void pop_front() {
    items_->pop_front();
    if (items_->empty())
      items_.reset();
  }

  void clear() { items_.reset(); }

  /// Everything queued, leaving this queue empty.
  std::deque<T> take() {
    std::deque<T> all;
    if (items_)
      all = std::move(*items_);
    items_.reset();
    return all;
  }

  template <class F> void for_each(F&& f) const {
    if (items_)
      for (const auto& x : *items_)
        f(x);
  }

 private:
  std::unique_ptr<std::deque<T>> items_;
};

} // namespace tether::containers
