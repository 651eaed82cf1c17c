#pragma once

// The resume storm of W4, which the restart case reuses: sessions come
// back with SESSION_RESUME and the last seq they processed, re-send each
// request whose answer they have not processed (same id, as the contract
// asks; the node must not run it twice), and each must then get exactly
// the frames it had not processed, in order: none lost, none twice.

#include <chrono>
#include <string>
#include <vector>

#include "context.hpp"
#include "fleet.hpp"
#include "report.hpp"

namespace tether::bench {

/// One session: where it resumes from, what it asked for, and what it has
/// processed (numbered frames only), across its connections.
struct ledger {
  std::string token;
  uint64_t last_seq = 0;
  uint64_t push_id = 0;
  uint64_t push_count = 0; // SIGNALs its sys.push sends
  uint64_t echo_id = 0;    // 0: it sent no echo
  uint64_t push_replies = 0;
  uint64_t echo_replies = 0;
  uint64_t signals = 0;
  uint64_t frames = 0;
  bool resumed = false;

  /// The frames its requests make: the push's REPLY and SIGNALs, the echo.
  uint64_t expected() const { return push_count + 1 + (echo_id ? 1 : 0); }
  bool complete() const { return frames >= expected(); }
  bool exact() const {
    return push_replies == 1 && echo_replies == (echo_id ? 1u : 0u) &&
           signals == push_count && frames == expected();
  }
  void record(const event& e);
  /// After a resume, as the contract asks: re-sends each request whose
  /// answer has not been processed, with its same id (the node must not
  /// run it twice).
  void resend(peer& p, const wire& w) const;
  /// The same session as if nothing after `last_seq` had been processed
  /// (what a client that crashed would resume with).
  ledger unprocessed() const { return {token, last_seq, push_id, push_count}; }
};

/// sys.push whose SIGNALs carry the number 7.
std::string push_request(const wire& w, uint64_t id, uint64_t count);

/// Makes `p`'s session keep frames: acknowledges everything so far, sends
/// no ACK from now on, and asks for a sys.push of `count` SIGNALs; `b`
/// (from `p`'s token and acknowledged seq on) records what comes.
void keep_push(peer& p, ledger& b, const wire& w, uint64_t count);

/// How the sessions of `books` came out (missing a frame, or with one too
/// many) and the SEQ gaps and duplicates their connections saw, added to
/// `o`; true when every session got exactly its frames, without gaps or
/// duplicates.
bool add_replay(json& o, const std::vector<ledger>& books, uint64_t gaps,
                uint64_t dups);

class storm {
 public:
  using clock = std::chrono::steady_clock;

  storm(context& cx, std::vector<ledger>& books);

  /// Resumes every session of the books, all at once (with `first_alone`,
  /// the first one alone before the others), waits until each has its
  /// frames, and adds the figures to `o`; the storm's times count from when
  /// it sent the resumes of all. True when every session got exactly its
  /// frames, without gaps or duplicates.
  bool run(json& o, bool first_alone);
  /// When the first session's SESSION came back (zero if it did not).
  clock::time_point first_resumed() const { return first_resumed_; }
  /// The resumed connections, by session: book i is connection i.
  fleet& connections() { return again_; }

 private:
  void on_resumed(peer& p);
  void after_resume(peer& p, const event& e);

  context& cx_;
  std::vector<ledger>& books_;
  fleet again_;
  size_t resumed_ = 0;
  size_t complete_ = 0;
  clock::time_point first_resumed_{};
  clock::time_point all_resumed_{};
  clock::time_point all_complete_{};
};

} // namespace tether::bench
