#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "tether/codec/frames.hpp"
#include "tether/transport/beast.hpp"
#include "tether/transport/ws_client.hpp"

namespace tether::client {

/// Runs the I/O of any number of clients on one background thread.
class io_thread {
 public:
  io_thread();
  ~io_thread();
  io_thread(const io_thread&) = delete;
  io_thread& operator=(const io_thread&) = delete;

  transport::net::io_context& context() noexcept { return ioc_; }

 private:
  transport::net::io_context ioc_;
  transport::net::executor_work_guard<transport::net::io_context::executor_type>
      work_;
  std::thread thread_;
};

/// How a request ended.
struct answer {
  enum class kind { reply, error, retry, parts, closed };
  kind what = kind::closed;
  /// REPLY's payload.
  codec::value payload;
  /// ERROR's code and message; RETRY's reason is in `message`.
  std::string code;
  std::string message;
  /// RETRY's wait.
  uint64_t wait_ms = 0;
  /// The RESULT_PART payloads of a streamed result, in order.
  std::vector<codec::value> parts;

  bool ok() const { return what == kind::reply || what == kind::parts; }
};

/// What a client answers to the node's REQUEST: a REPLY payload, or an
/// ERROR when `error_code` is set.
struct served {
  codec::value payload;
  std::string error_code;
  std::string error_message;
};

/// Where `ws://HOST:PORT/PATH` or `wss://HOST:PORT/PATH` points, or, for
/// long polling, `http://HOST:PORT/poll` or `https://...`.
struct endpoint {
  std::string host;
  uint16_t port = 0;
  std::string path = "/ws";
  /// `wss://` or `https://`: over TLS, checked as `tls_options` say.
  bool tls = false;
  transport::tls_client_options tls_options;
  /// `http://` or `https://`: frames travel by long polling (`path` is
  /// the node's `/poll`) instead of a WebSocket.
  bool polling = false;
};

/// Parses a `ws://`, `wss://` (a WebSocket), `http://` or `https://` URL
/// (long polling; the path defaults to `/poll`); the port defaults to 80
/// or 443. Nullopt when it is none of these.
std::optional<endpoint> parse_url(const std::string& url);

/// A Tether client over one WebSocket, or one poll connection. Requests made
/// with `call` are matched to their answers; every other frame the node sends
/// arrives in order through `next` (or the signal and request handlers, when
/// set). Thread-safe.
class client {
 public:
  /// Connects (no HELLO yet); nullptr and `error` set on failure.
  static std::shared_ptr<client>
  connect(io_thread& io, const endpoint& where, std::string* error = nullptr,
          std::chrono::milliseconds timeout = std::chrono::seconds{5});

  /// Connects to a URL `parse_url` takes (a TLS one checked as
  /// `tls` says) and completes HELLO/WELCOME with `auth`; nullptr and
  /// `error` saying why (a bad URL, no connection, refused).
  static std::shared_ptr<client>
  open(io_thread& io, const std::string& url, std::string& error,
       codec::map_value auth = {},
       const transport::tls_client_options& tls = {});

  ~client();

  // -- the handshake ----------------------------------------------------------

  /// Sends HELLO and waits for WELCOME; nullopt when the node closed
  /// instead or nothing came within the timeout.
  std::optional<codec::welcome>
  hello(codec::map_value auth = {}, const std::string& agent = "tether-cpp",
        std::chrono::milliseconds timeout = std::chrono::seconds{5});

  // -- requests ---------------------------------------------------------------

  /// Sends REQUEST `op`; the future completes with its answer, or with
  /// `answer::kind::closed` when the connection ends first (at once when
  /// it has ended already: nothing is sent then).
  std::future<answer> call(const std::string& op, codec::value payload);

  /// Sends STREAM `op` with `parts` (at least one), the last one flagged;
  /// completes as `call` does.
  std::future<answer> call_stream(const std::string& op,
                                  std::vector<codec::value> parts);

  /// Sends CANCEL for a request made with `call` (its id is `last_id()`).
  void cancel(uint64_t id);

  /// The id the last `call` or `call_stream` used.
  uint64_t last_id() const noexcept { return next_id_.load() - 1; }

  // -- pushes and the node's requests ----------------------------------------

  /// Runs for every SIGNAL instead of queueing it (on the I/O thread).
  void on_signal(std::function<void(const codec::signal&)> fn);

  /// Serves the node's REQUESTs instead of queueing them (on the I/O thread).
  void on_request(std::function<served(const codec::request&)> fn);

  // -- sessions ---------------------------------------------------------------

  /// SESSION_OPEN, SESSION_ATTACH, SESSION_RESUME: the SESSION reply, or
  /// nullopt with `error` set to the ERROR code (or "timeout"). Frames in
  /// SEQ are unwrapped from then on, counted, and acknowledged.
  std::optional<codec::session>
  open_session(codec::map_value info = {}, std::string* error = nullptr,
               std::chrono::milliseconds timeout = std::chrono::seconds{5});
  std::optional<codec::session>
  attach_session(const std::string& key, std::string* error = nullptr,
                 std::chrono::milliseconds timeout = std::chrono::seconds{5});
  /// Resumes the stream of `token`; numbering continues after `last_seq`.
  std::optional<codec::session>
  resume_session(const std::string& token, uint64_t last_seq,
                 std::string* error = nullptr,
                 std::chrono::milliseconds timeout = std::chrono::seconds{5});

  /// The highest seq processed so far: taken from `next`, or consumed by a
  /// call's answer or a handler. ACK and resume use it.
  uint64_t last_seq() const;

  /// Sends ACK with `last_seq()` now.
  void ack();

  /// Acknowledge automatically every `every` frames, and whenever `next`
  /// finds nothing to return; 0 never (the default is the node's
  /// `ack_every` from WELCOME).
  void auto_ack(uint64_t every);

  /// SEQ frames whose number repeated an earlier one, or skipped ahead: a
  /// node keeping the contract leaves both at 0.
  uint64_t duplicates() const;
  uint64_t gaps() const;

  // -- raw frames -------------------------------------------------------------

  /// Sends frames in one WebSocket message.
  void send(const std::vector<codec::frame>& frames);
  void send(const codec::frame& frame);

  /// Sends bytes as they are (for testing how a node takes bad input).
  void send_raw(std::string bytes, bool binary = true);

  /// The next frame not taken by a call or handler; nullopt on timeout or
  /// once closed and drained.
  std::optional<codec::frame>
  next(std::chrono::milliseconds timeout = std::chrono::seconds{5});

  /// Waits for the connection to end; the CLOSE frame the node sent, if any.
  std::optional<codec::close>
  wait_closed(std::chrono::milliseconds timeout = std::chrono::seconds{5});

  bool closed() const;

  /// WebSocket messages received so far.
  uint64_t messages_received() const noexcept { return messages_.load(); }

  /// Closes the WebSocket politely. Every open call fails now, and calls
  /// made from now on fail at once.
  void close();

  /// Drops the TCP connection at once.
  void abort();

 private:
  struct pending {
    std::promise<answer> promise;
    std::vector<codec::value> parts;
  };

  client() = default;
  std::optional<codec::session>
  await_session(uint64_t id, std::string* error,
                std::chrono::milliseconds timeout);
  // The numbering of the stream about to be attached starts after this.
  void restart_numbering(uint64_t last_seq);
  // Takes one frame the node sent (after SEQ unwrapping).
  void take(codec::frame&& f, uint64_t seq);
  // Sends ACK when due, after a numbered frame was processed.
  void processed(uint64_t seq);
  // Every numbered frame up to this one was processed: received, and not
  // waiting in the inbox. Needs `mtx_`.
  uint64_t processed_seq_locked() const;
  void on_message(std::string bytes, bool binary);
  void on_closed(const std::string& reason);
  // Fails every open call; marks the connection closed when it `ended`,
  // else closing (no new calls).
  void fail_pending(bool ended);
  // The future of a new open call `id`; nullopt once closed.
  std::optional<std::future<answer>> add_pending(uint64_t id);
  // A future that has failed already: a call on a closed connection.
  static std::future<answer> failed_call();
  // Routes one frame; true if a pending call or a handler took it.
  bool route(codec::frame& f, uint64_t seq);
  void settle(uint64_t id, answer a);

  /// The WebSocket or the poll connection.
  std::shared_ptr<transport::client_link> ws_;
  mutable std::mutex mtx_;
  std::condition_variable cv_;
  /// A frame and the seq it came in (0: not numbered).
  struct entry {
    codec::frame frame;
    uint64_t seq = 0;
  };
  std::deque<entry> inbox_;
  std::map<uint64_t, pending> pending_;
  std::function<void(const codec::signal&)> signal_handler_;
  std::function<served(const codec::request&)> request_handler_;
  std::optional<codec::close> close_frame_;
  bool closed_ = false;
  /// `close()` was called: no new calls.
  bool closing_ = false;
  std::atomic<uint64_t> next_id_{uint64_t{1} << 32};
  std::atomic<uint64_t> messages_{0};
  uint64_t received_seq_ = 0;
  /// The last seq handed on (to a call, a handler or the inbox): what ACK
  /// and `last_seq` may count, which `received_seq_` runs ahead of while
  /// a frame is between the two.
  uint64_t taken_seq_ = 0;
  uint64_t acked_seq_ = 0;
  uint64_t ack_every_ = 0;
  bool ack_every_set_ = false;
  uint64_t duplicates_ = 0;
  uint64_t gaps_ = 0;
};

} // namespace tether::client
