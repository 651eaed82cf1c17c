#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include <caf/error.hpp>
#include <caf/sec.hpp>
#include <caf/typed_response_promise.hpp>

namespace tether {

/// The error of a thing no node has: `code` is the contract's not-found
/// code (session_not_found, room_not_found).
inline caf::error not_found_error(const std::string& code) {
  return caf::make_error(caf::sec::invalid_argument, code);
}

/// Asks every actor of `asked` the same question about a thing only one of
/// them has: the first value answered wins; without one, the first error
/// that is not `not_found_code` (the one that has it failed), else not
/// found. No directory to keep: a thing that moved is found where it is.
template <class Result, class Self, class Actor, class... Ts>
caf::result<Result> first_answer(Self self, const std::vector<Actor>& asked,
                                 std::chrono::milliseconds wait,
                                 const std::string& not_found_code,
                                 const Ts&... xs) {
  if (asked.empty())
    return not_found_error(not_found_code);
  auto promise = self->template make_response_promise<Result>();
  auto left = std::make_shared<size_t>(asked.size());
  auto best = std::make_shared<caf::error>(not_found_error(not_found_code));
  auto done = std::make_shared<bool>(false);
  for (const auto& to : asked)
    self->request(to, wait, xs...)
        .then(
            [promise, done](const Result& x) mutable {
              if (!*done) {
                *done = true;
                promise.deliver(x);
              }
            },
            [promise, left, best, done,
             not_found_code](const caf::error& err) mutable {
              if (caf::to_string(err).find(not_found_code) == std::string::npos)
                *best = err;
              if (--*left == 0 && !*done) {
                *done = true;
                promise.deliver(*best);
              }
            });
  return promise;
}

} // namespace tether
