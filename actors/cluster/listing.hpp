#pragma once

// Lists and look-ups that span the cluster: the admin API's pages of
// sessions and rooms, and its questions about one of them wherever it is.

#include <algorithm>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "tether/actors/atoms.hpp"
#include "tether/actors/cluster/first_answer.hpp"
#include "tether/codec/payload_fields.hpp"
#include "tether/codec/value.hpp"

namespace tether {

/// How long one node gets to answer its part of a list or a look-up.
constexpr std::chrono::seconds listing_wait{10};

/// Asks every actor of `asked` the same question and calls `done` with the
/// answers, in the order asked; one that fails (it ended, its node went)
/// adds nothing.
template <class Result, class Self, class Actor, class... Ts>
void gather(Self self, const std::vector<Actor>& asked,
            std::function<void(std::vector<Result>)> done, const Ts&... xs) {
  struct run {
    std::vector<std::optional<Result>> got;
    size_t left = 0;
    std::function<void(std::vector<Result>)> done;
    void one_less() {
      if (--left != 0)
        return;
      std::vector<Result> result;
      for (auto& x : got)
        if (x)
          result.push_back(std::move(*x));
      done(std::move(result));
    }
  };
  if (asked.empty())
    return done({});
  auto r = std::make_shared<run>();
  r->got.resize(asked.size());
  r->left = asked.size();
  r->done = std::move(done);
  for (size_t i = 0; i < asked.size(); ++i)
    self->request(asked[i], listing_wait, xs...)
        .then(
            [r, i](Result& x) {
              r->got[i] = std::move(x);
              r->one_less();
            },
            [r](const caf::error&) { r->one_less(); });
}

/// The ids of `ids` after `after`, in order, at most `limit`: one node's
/// part of a page.
inline std::vector<std::string> page_of(std::vector<std::string> ids,
                                        const std::string& after,
                                        uint64_t limit) {
  ids.erase(std::remove_if(ids.begin(), ids.end(),
                           [&](const std::string& id) { return id <= after; }),
            ids.end());
  auto n = std::min<size_t>(ids.size(), limit);
  std::partial_sort(ids.begin(), ids.begin() + n, ids.end());
  ids.resize(n);
  return ids;
}

/// The pages of every node joined into one: ordered by the string under
/// `key` (the ids), at most `limit`.
inline std::vector<codec::value>
merge_pages(std::vector<std::vector<codec::value>> pages,
            const std::string& key, uint64_t limit) {
  std::vector<std::pair<std::string, codec::value>> all;
  for (auto& page : pages)
    for (auto& x : page) {
      std::string id;
      codec::get_string(x, key, id);
      all.emplace_back(std::move(id), std::move(x));
    }
  std::sort(all.begin(), all.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<codec::value> result;
  for (size_t i = 0; i < all.size() && i < limit; ++i)
    result.push_back(std::move(all[i].second));
  return result;
}

/// A page of the whole cluster: this node's `mine` joined with what the
/// services of the other nodes (`others`, unless another node `asked`)
/// answer to the same `list_atom` question, then `deliver`ed.
template <class Self, class Actor>
void cluster_page(Self self, std::vector<codec::value> mine,
                  const std::vector<Actor>& others, bool asked,
                  const std::string& key, const std::string& after,
                  uint64_t limit,
                  std::function<void(std::vector<codec::value>)> deliver) {
  if (asked || others.empty())
    return deliver(merge_pages({std::move(mine)}, key, limit));
  gather<std::vector<codec::value>>(
      self, others,
      [mine, key, limit, deliver](std::vector<std::vector<codec::value>> got) {
        got.push_back(mine);
        deliver(merge_pages(std::move(got), key, limit));
      },
      list_atom::value, after, limit, true);
}

/// Something this node does not have: asked of `others` (the first that
/// has it answers), unless another node asked (then: not found here).
template <class Result, class Self, class Actor, class... Ts>
caf::result<Result>
ask_others(Self self, bool asked, const std::vector<Actor>& others,
           const std::string& not_found_code, const Ts&... xs) {
  if (asked)
    return not_found_error(not_found_code);
  return first_answer<Result>(self, others, listing_wait, not_found_code, xs...,
                              true);
}

} // namespace tether
