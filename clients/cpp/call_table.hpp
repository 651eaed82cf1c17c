#pragma once

#include <chrono>
#include <cstdint>
#include <future>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "tether/clients/cpp/client.hpp"
#include "tether/codec/frames.hpp"

namespace tether::client {

/// The calls of a session client that have no answer yet, by request id:
/// what to send again on a new connection, and whose future an answer
/// completes, exactly once. Not thread-safe: its owner guards it.
class call_table {
 public:
  using clock = std::chrono::steady_clock;

  /// What `take` made of a frame.
  enum class outcome {
    /// Not an answer to one of these calls.
    not_ours,
    /// The call is answered and gone.
    done,
    /// A RESULT_PART that is not the last.
    partial,
    /// RETRY: sent again once `next_due()` comes.
    retry_later,
    /// RETRY `shutdown`: sent again on the next connection.
    held,
  };

  /// A new call, not sent yet; its future.
  std::future<answer> add(uint64_t id, std::string op, codec::value payload);

  /// A new upload of `parts` (STREAM and STREAM_PARTs), not sent yet; its
  /// future.
  std::future<answer> add_upload(uint64_t id, std::string op,
                                 std::vector<codec::value> parts);

  /// The frames of call `id` (a REQUEST, or an upload's STREAM and parts),
  /// marked sent (it may run from now on).
  std::vector<codec::frame> send(uint64_t id);

  /// Every call's frames, in id order, for a new connection: each marked
  /// sent. The node runs an id of a stream once, and takes each part of an
  /// upload once: a call it has run or answered already is not run again.
  std::vector<codec::frame> send_all();

  /// Takes an answer (REPLY, ERROR, RETRY, RESULT_PART) to one of these
  /// calls; `max_retries` RETRYs are taken before the caller gets one.
  outcome take(codec::frame& f, unsigned max_retries, clock::time_point now);

  /// The REQUESTs of the calls whose RETRY wait is over, marked sent.
  std::vector<codec::frame> due(clock::time_point now);

  /// When the first RETRY wait ends, if any call waits.
  std::optional<clock::time_point> next_due() const;

  /// Fails the calls that may have run on a stream that is lost (sent, and
  /// not refused with RETRY): their answer can no longer come. The calls
  /// never sent stay, for the next stream. How many failed.
  size_t fail_sent(const std::string& code, const std::string& message);

  /// Fails every call with `what`, `code` and `message`.
  void fail_all(answer::kind what, const std::string& code,
                const std::string& message);

  size_t size() const noexcept { return calls_.size(); }

 private:
  struct call {
    std::string op;
    codec::value payload;
    std::promise<answer> promise;
    std::vector<codec::value> parts;
    /// An upload's parts (empty: a plain REQUEST).
    std::vector<codec::value> upload;
    /// Sent on the current stream, and not refused since.
    bool sent = false;
    /// Held for the next connection (RETRY `shutdown`).
    bool held = false;
    /// A RETRY's wait ends then.
    std::optional<clock::time_point> retry_at;
    unsigned retries = 0;
  };

  /// Appends the frames of call `id` to `out`, marking it sent.
  void frames_of(uint64_t id, call& c, std::vector<codec::frame>& out);
  void finish(std::map<uint64_t, call>::iterator i, answer a);

  std::map<uint64_t, call> calls_;
};

} // namespace tether::client
