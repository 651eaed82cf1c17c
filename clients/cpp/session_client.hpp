#pragma once

#include <condition_variable>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "tether/clients/cpp/backoff.hpp"
#include "tether/clients/cpp/call_table.hpp"
#include "tether/clients/cpp/client.hpp"
#include "tether/clients/cpp/session_types.hpp"

namespace tether::client {

namespace detail {
struct attempt_result;
struct link_end;
} // namespace detail

/// A client that keeps one session over connections that come and go.
///
/// It connects, opens a session and, whenever the connection ends,
/// reconnects by itself: backoff with full jitter between attempts, CLOSE 5
/// redirects followed (an empty redirect: the same URL again), the stream
/// resumed with its token and last seq so that nothing is lost. Calls made
/// while it is away wait, and every call without an answer is sent again
/// under its original id after a resume: the node runs an id of a stream
/// once and its one answer completes the caller's future, so each call is
/// performed once as the app sees it. Where the stream cannot be resumed
/// (`resume_gap`, `stream_not_found`) it attaches a new stream of the same
/// session by its key and says so; the calls that may have run then fail
/// with ERROR `resume_gap` (run or not, their answer is lost), the others
/// go out on the new stream. CLOSE 8 (unauthorized), 1 (unsupported
/// version) and 6 (another connection took the stream over), and the node
/// closing the session, stop it for good.
///
/// Threads: every public member may be called from any thread. The
/// client runs on a thread of its own, which makes the connections, reads
/// the stream and runs every handler, one at a time and in stream order.
/// Handlers may call `call`, `signal` and `close`, but must not wait for a
/// call's answer (this thread delivers it) or block for long (heartbeats
/// wait meanwhile). Nothing polls: the thread sleeps until a frame, a
/// timer (heartbeat, a RETRY's wait, a backoff) or `close()` wakes it.
class session_client {
 public:
  using event_handler = std::function<void(const session_event&)>;
  using push_handler = std::function<void(const codec::frame&)>;
  using request_handler = std::function<served(const codec::request&)>;

  /// Nothing happens before `start()`; `io` must outlive this object.
  session_client(io_thread& io, session_options opts);

  /// `close()`.
  ~session_client();

  session_client(const session_client&) = delete;
  session_client& operator=(const session_client&) = delete;

  // -- handlers: set them before `start()` --------------------------------

  /// Connection events: connected, disconnected, reconnecting, resumed,
  /// resume_gap, new_session, stopped.
  void on_event(event_handler fn);

  /// Every frame the node pushes on the stream that answers no call:
  /// SIGNAL, ROOM_MESSAGE, STREAM, STREAM_PART.
  void on_push(push_handler fn);

  /// The node's REQUESTs (without one: ERROR `unknown_op`).
  void on_request(request_handler fn);

  // -- running ---------------------------------------------------------------

  /// Starts connecting in the background.
  void start();

  /// Stops for good: the connection is closed, every open call fails
  /// (`answer::kind::closed`, code `stopped`), `stopped` is reported, and
  /// the thread is joined (unless called from a handler). The session
  /// lives on at the node for its TTL. Idempotent.
  void close();

  // -- calls -----------------------------------------------------------------

  /// REQUEST `op`. Sent at once when live, else on the next stream; the
  /// future completes with the one answer (RETRYs are taken care of, see
  /// `max_retries`), with ERROR `resume_gap` when its answer is lost, or
  /// with `answer::kind::closed` once stopped (at once when stopped
  /// already).
  std::future<answer> call(const std::string& op, codec::value payload);

  /// STREAM `op` with `parts` (the first in STREAM, the others numbered
  /// STREAM_PARTs), as `call` does for a REQUEST: after a resume the whole
  /// upload is sent again, and the node takes each part once.
  std::future<answer> upload(const std::string& op,
                             std::vector<codec::value> parts);

  /// SIGNAL, fire and forget: sent when live (true), else dropped (false).
  bool signal(const std::string& name, codec::value payload);

  // -- state -----------------------------------------------------------------

  session_state state() const;

  /// Waits until live (true), or stopped or `timeout` passed (false).
  bool wait_live(std::chrono::milliseconds timeout) const;

  /// Waits until stopped.
  bool wait_stopped(std::chrono::milliseconds timeout) const;

  /// The session's public id (empty before the first stream).
  std::string session_id() const;

  /// The session's key, a secret: another connection attaches to the
  /// session with it (SESSION_ATTACH). Empty before the first stream.
  std::string session_key() const;

  /// Calls without an answer yet.
  size_t open_calls() const;

  /// Drops the current connection as a failing network would (the client
  /// reconnects and resumes): for tests and demos.
  void drop_connection();

 private:
  using attempt_result = detail::attempt_result;
  using link_end = detail::link_end;

  void run();
  // One attempt at `url`: a live connection, or why not.
  // A new call: `add` enters it under the next id; sent at once when live.
  template <class Add> std::future<answer> start(Add add);
  attempt_result attempt(const std::string& url);
  // The session step of an attempt on a welcomed connection.
  attempt_result attach_stream(const std::shared_ptr<client>& c);
  // Makes `c` the live connection and sends every call; false when
  // closing.
  bool go_live(const std::shared_ptr<client>& c, const codec::session& s);
  // Reads the live connection until it ends.
  link_end serve(const std::shared_ptr<client>& c);
  void dispatch(client& c, codec::frame& f);
  void emit(const session_event& e);
  void stop(session_event e);
  // Waits `delay` unless `close()` comes first; false then.
  bool pause(std::chrono::milliseconds delay);
  bool stopping() const;

  io_thread& io_;
  const session_options opts_;

  mutable std::mutex mtx_;
  mutable std::condition_variable cv_;
  session_state state_ = session_state::idle;
  bool stopping_ = false;
  bool stop_reported_ = false;
  /// The connection being made or used (so that `close()` can end it).
  std::shared_ptr<client> current_;
  /// The live one, when calls go out at once.
  std::shared_ptr<client> live_;
  call_table calls_;
  uint64_t next_id_ = 1;
  event_handler event_handler_;
  push_handler push_handler_;
  request_handler request_handler_;

  // The stream, known to the thread only (and read under `mtx_`).
  std::string session_id_;
  std::string session_key_;
  std::string token_;
  uint64_t last_seq_ = 0;
  std::chrono::milliseconds heartbeat_{15000};

  backoff backoff_;
  std::thread thread_;
};

} // namespace tether::client
