#include "fleet.hpp"

#include <iostream>

#include "context.hpp"

namespace tether::bench {

void fleet::open(size_t n, setup s) {
  for (size_t i = 0; i < n; ++i) {
    peers_.push_back(std::make_shared<peer>(ioc_, next_target(), wire_, *this,
                                            peers_.size()));
    setups_.push_back(s);
  }
  launch();
}

void fleet::resume(const std::vector<std::shared_ptr<peer>>& dropped) {
  for (const auto& old : dropped)
    resume(old->token(), old->last_seq());
}

void fleet::resume(std::string token, uint64_t last_seq) {
  auto p =
      std::make_shared<peer>(ioc_, next_target(), wire_, *this, peers_.size());
  p->resume_from(std::move(token), last_seq);
  peers_.push_back(std::move(p));
  setups_.push_back(setup::session_resume);
  launch();
}

void fleet::launch() {
  while (launched_ < peers_.size() && connecting_ < max_connecting_) {
    ++connecting_;
    auto i = launched_++;
    peers_[i]->start(setups_[i]);
  }
}

void fleet::on_ready(peer& p, bool ok) {
  --connecting_;
  if (ok) {
    ++ready_;
    on_ready_(p);
  } else {
    if (failed_++ == 0)
      first_failure_ = p.failure();
    on_failed_(p);
  }
  launch();
}

void fleet::on_closed(peer& p) {
  ++closed_;
  on_closed_(p);
}

bool open_sessions(context& cx, fleet& f, size_t n) {
  f.open(n, setup::session_open);
  cx.run_until([&] { return f.settled(); }, cx.opt.connect_timeout_s);
  if (f.ready_count() == n)
    return true;
  std::cerr << "tether_load: " << f.failed_count()
            << " sessions did not open: " << f.first_failure() << std::endl;
  return false;
}

} // namespace tether::bench
