#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <unordered_map>
#include <vector>

#include "tether/actors/behavior_registry.hpp"
#include "tether/actors/interfaces.hpp"
#include "tether/actors/rate_limit.hpp"
#include "tether/actors/traffic.hpp"
#include "tether/config/limits.hpp"

namespace tether {

/// The requests between one client and the node, in both directions: the
/// client's open requests (limits, dispatch to behaviors, cancel, parts) and
/// the node's requests to the client. A sessionless connection and a
/// session's line both own one; they differ only in how frames reach the
/// client, which is the `emit` function they pass in.
class request_hub {
 public:
  /// Sends one frame to the client.
  using emit_fn = std::function<void(codec::frame&&)>;

  request_hub(caf::local_actor* self, std::string conn_id,
              std::shared_ptr<const behavior_registry> behaviors,
              const config::limits& limits, emit_fn emit);

  // -- the client's requests --------------------------------------------------

  /// A REQUEST (or STREAM when `streamed`): dispatched, or answered at once
  /// with ERROR or RETRY. A duplicate of an open id is ignored.
  void request(uint64_t id, std::string op, codec::value payload,
               bool streamed);

  /// A STREAM_PART; ignored unless its stream is open and taking parts, or
  /// when its `index` was taken already (sent again after a resume). One
  /// that skips an index ends its stream with ERROR `invalid`.
  void part(codec::stream_part&& x);

  /// A CANCEL: ERROR `cancelled` if still open.
  void cancel(uint64_t id);

  /// A SIGNAL: to the behavior bound to its name, if any.
  void signal(codec::signal&& x);

  /// A client frame other than REQUEST and STREAM: STREAM_PART, CANCEL,
  /// SIGNAL, or the client's answer to one of the node's calls (REPLY,
  /// ERROR, RETRY, the last RESULT_PART). Other frames are ignored.
  template <class Frame> void take(Frame& x) {
    using type = std::decay_t<Frame>;
    if constexpr (std::is_same_v<type, codec::stream_part>)
      part(std::move(x));
    else if constexpr (std::is_same_v<type, codec::cancel>)
      cancel(x.id);
    else if constexpr (std::is_same_v<type, codec::signal>)
      signal(std::move(x));
    else if constexpr (std::is_same_v<type, codec::reply>)
      client_answered(x.id, {true, std::move(x.payload), {}, {}});
    else if constexpr (std::is_same_v<type, codec::error>)
      client_answered(x.id, {false, {}, x.code, x.message});
    else if constexpr (std::is_same_v<type, codec::retry>)
      client_answered(x.id, {false, {}, "retry", x.reason});
    else if constexpr (std::is_same_v<type, codec::result_part>) {
      // A streamed answer to the node's call: its last part completes it.
      if (x.last)
        client_answered(x.id, {true, std::move(x.payload), {}, {}});
    }
  }

  /// Whether `id` is open, i.e. an answer to it goes to the client.
  bool is_open(uint64_t id) const { return open_.count(id) > 0; }

  /// Passes a behavior's answer on to the client, if its request is still
  /// open; true if it was. Closes the request unless more parts follow.
  bool answer(codec::reply&& x);
  bool answer(codec::error&& x);
  bool answer(codec::retry&& x);
  bool answer(codec::result_part&& x);

  /// A behavior died: its open requests answer ERROR `internal`.
  void behavior_down(const caf::down_msg& msg);

  /// Answers every open request ERROR `code` and tells its behavior to
  /// stop (the node is shutting down).
  void fail_open(const std::string& code, const std::string& message);

  /// Tells every behavior to stop, without answering (the client is gone),
  /// and fails the node's calls to the client.
  void abandon();

  size_t open_count() const { return open_.size(); }

  /// Names the session whose requests these are (a line's hub).
  void set_session(std::string id, session_actor session, codec::value info) {
    session_id_ = std::move(id);
    session_ = std::move(session);
    session_info_ = std::move(info);
  }

  /// Counts this hub's requests against its session's rate too (null: no
  /// session rate).
  void limit_session_rate(std::shared_ptr<session_rates> rates) {
    session_rates_ = std::move(rates);
  }

  /// Counts the requests' answers and durations into `counts` (null:
  /// none).
  void count_into(std::shared_ptr<traffic> counts) {
    counts_ = std::move(counts);
  }

  /// Called whenever the last open request closed.
  std::function<void()> on_idle;

  // -- the node's requests to the client
  // ---------------------------------------

  /// Sends a behavior's REQUEST to the client; the promise gets the answer.
  caf::result<client_answer> call(codec::request&& x);

  /// The client's REPLY, ERROR, RETRY or last RESULT_PART to a call.
  void client_answered(uint64_t id, client_answer answer);

  /// A 0..1 figure of how full the limits are, for HEARTBEAT's load.
  double busy() const;

 private:
  using clock = std::chrono::steady_clock;

  struct open_request {
    behavior_actor handler;
    request_context ctx;
    bool streamed = false;
    bool upload_done = false;
    /// STREAM_PARTs taken: the index of the last one.
    uint64_t parts = 0;
    clock::time_point started;
  };

  /// Sends the answer to a client's request that came at `started`,
  /// counted by its kind.
  void answer_client(codec::frame&& x, clock::time_point started);

  /// 0 when a request may start now, else the milliseconds until the
  /// stream's or the session's rate lets one.
  uint64_t rate_wait();

  void close(uint64_t id);

  // Emits an answer if its request is open; `completes` closes it.
  template <class Frame> bool pass_on(Frame&& x, bool completes);

  request_context context_for(uint64_t id, const std::string& op) const;

  caf::local_actor* self_;
  std::string conn_id_;
  std::string session_id_;
  session_actor session_;
  codec::value session_info_;
  std::shared_ptr<const behavior_registry> behaviors_;
  config::limits limits_;
  emit_fn emit_;
  std::unordered_map<uint64_t, open_request> open_;
  /// This stream's request rate (unset: none), and its session's.
  std::optional<token_bucket> rate_;
  std::shared_ptr<session_rates> session_rates_;
  size_t open_streams_ = 0;
  std::shared_ptr<traffic> counts_;
  /// The behaviors with open requests of ours (monitored), and how many.
  std::unordered_map<caf::actor_addr, size_t> watched_;
  uint64_t next_call_id_ = 1;
  std::unordered_map<uint64_t, caf::typed_response_promise<client_answer>>
      calls_;
};

} // namespace tether
