#include "cluster_resumer.hpp"

namespace tether::bench {

namespace {

/// Redirects a client follows in a row, as the contract says.
constexpr int max_hops = 3;

} // namespace

resumer::resumer(context& cx) : cx_(cx) {
  auto& nodes = cx.nodes->nodes();
  attempts_.resize(nodes.size());
  resumed_at_.resize(nodes.size());
  for (size_t k = 0; k < nodes.size(); ++k) {
    fleets_.push_back(std::make_unique<fleet>(cx.ioc, nodes[k].where, cx.w,
                                              cx.opt.max_connecting));
    auto& f = *fleets_.back();
    f.on_ready([this, k](peer& p) {
      ++resumed_at_[k];
      on_resumed_(attempts_[k][p.index()].session, p);
    });
    f.on_event([this, k](peer& p, const event& e) {
      on_event_(attempts_[k][p.index()].session, p, e);
    });
    f.on_failed([this, k](peer& p) { failed(k, p); });
  }
}

void resumer::resume(size_t at, size_t session, std::string token,
                     uint64_t last_seq) {
  start(at, {session, 0}, std::move(token), last_seq);
}

void resumer::start(size_t at, attempt a, std::string token,
                    uint64_t last_seq) {
  attempts_[at].push_back(a);
  fleets_[at]->resume(std::move(token), last_seq);
}

void resumer::failed(size_t at, peer& p) {
  auto a = attempts_[at][p.index()];
  int to = cx_.nodes->node_of(p.redirect());
  if (p.close_code() == 5 && to >= 0 && a.hops < max_hops) {
    ++redirects_;
    ++a.hops;
    return start(static_cast<size_t>(to), a, p.token(), p.acked());
  }
  auto why = p.failure();
  if (p.close_code() == 5)
    why += p.redirect().empty() ? " (no redirect)"
                                : " (redirect to " + p.redirect() + ")";
  on_failed_(a.session, why);
}

uint64_t resumer::total(uint64_t (peer::*count)() const) const {
  uint64_t n = 0;
  for (const auto& f : fleets_)
    for (const auto& p : f->peers())
      n += ((*p).*count)();
  return n;
}

} // namespace tether::bench
