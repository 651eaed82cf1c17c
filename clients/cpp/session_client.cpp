#include "tether/clients/cpp/session_client.hpp"

#include <ctime>

#include "tether/clients/cpp/session_link.hpp"

namespace tether::client {

namespace {

using clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

std::future<answer> failed(const std::string& code,
                           const std::string& message) {
  std::promise<answer> p;
  answer a;
  a.what = answer::kind::closed;
  a.code = code;
  a.message = message;
  p.set_value(std::move(a));
  return p.get_future();
}

milliseconds until(clock::time_point t, clock::time_point now) {
  auto left = std::chrono::duration_cast<milliseconds>(t - now);
  return std::max(left, milliseconds{1});
}

} // namespace

session_client::session_client(io_thread& io, session_options opts)
    : io_(io), opts_(std::move(opts)),
      backoff_(opts_.min_delay, opts_.max_delay) {}

session_client::~session_client() {
  close();
}

void session_client::on_event(event_handler fn) {
  std::lock_guard<std::mutex> guard{mtx_};
  event_handler_ = std::move(fn);
}

void session_client::on_push(push_handler fn) {
  std::lock_guard<std::mutex> guard{mtx_};
  push_handler_ = std::move(fn);
}

void session_client::on_request(request_handler fn) {
  std::lock_guard<std::mutex> guard{mtx_};
  request_handler_ = std::move(fn);
}

void session_client::start() {
  std::lock_guard<std::mutex> guard{mtx_};
  if (state_ != session_state::idle)
    return;
  state_ = session_state::connecting;
  thread_ = std::thread{[this] { run(); }};
}

void session_client::close() {
  std::shared_ptr<client> c;
  bool never_started = false;
  {
    std::lock_guard<std::mutex> guard{mtx_};
    stopping_ = true;
    never_started = state_ == session_state::idle;
    c = current_;
    cv_.notify_all();
  }
  if (c)
    c->close();
  if (never_started) {
    session_event e;
    e.what = session_event::kind::stopped;
    e.reason = "closed";
    stop(std::move(e));
  }
  if (thread_.joinable() && thread_.get_id() != std::this_thread::get_id())
    thread_.join();
}

std::future<answer> session_client::call(const std::string& op,
                                         codec::value payload) {
  return start(
      [&](uint64_t id) { return calls_.add(id, op, std::move(payload)); });
}

std::future<answer> session_client::upload(const std::string& op,
                                           std::vector<codec::value> parts) {
  return start(
      [&](uint64_t id) { return calls_.add_upload(id, op, std::move(parts)); });
}

template <class Add> std::future<answer> session_client::start(Add add) {
  std::lock_guard<std::mutex> guard{mtx_};
  if (stopping_)
    return failed("stopped", "the session client has stopped");
  auto id = next_id_++;
  auto result = add(id);
  if (live_)
    live_->send(calls_.send(id));
  return result;
}

bool session_client::signal(const std::string& name, codec::value payload) {
  std::lock_guard<std::mutex> guard{mtx_};
  if (!live_)
    return false;
  live_->send(codec::signal{name, std::move(payload)});
  return true;
}

session_state session_client::state() const {
  std::lock_guard<std::mutex> guard{mtx_};
  return state_;
}

bool session_client::wait_live(milliseconds timeout) const {
  std::unique_lock<std::mutex> lock{mtx_};
  cv_.wait_for(lock, timeout, [this] {
    return state_ == session_state::live || state_ == session_state::stopped;
  });
  return state_ == session_state::live;
}

bool session_client::wait_stopped(milliseconds timeout) const {
  std::unique_lock<std::mutex> lock{mtx_};
  return cv_.wait_for(lock, timeout,
                      [this] { return state_ == session_state::stopped; });
}

std::string session_client::session_id() const {
  std::lock_guard<std::mutex> guard{mtx_};
  return session_id_;
}

std::string session_client::session_key() const {
  std::lock_guard<std::mutex> guard{mtx_};
  return session_key_;
}

size_t session_client::open_calls() const {
  std::lock_guard<std::mutex> guard{mtx_};
  return calls_.size();
}

void session_client::drop_connection() {
  std::lock_guard<std::mutex> guard{mtx_};
  if (current_)
    current_->abort();
}

bool session_client::stopping() const {
  std::lock_guard<std::mutex> guard{mtx_};
  return stopping_;
}

bool session_client::pause(milliseconds delay) {
  std::unique_lock<std::mutex> lock{mtx_};
  return !cv_.wait_for(lock, delay, [this] { return stopping_; });
}

void session_client::emit(const session_event& e) {
  event_handler fn;
  {
    std::lock_guard<std::mutex> guard{mtx_};
    fn = event_handler_;
  }
  if (fn)
    fn(e);
}

void session_client::stop(session_event e) {
  std::shared_ptr<client> c;
  {
    std::lock_guard<std::mutex> guard{mtx_};
    if (stop_reported_)
      return;
    stop_reported_ = true;
    stopping_ = true;
    state_ = session_state::stopped;
    live_.reset();
    c = std::exchange(current_, {});
    calls_.fail_all(answer::kind::closed, "stopped",
                    "the session client stopped: " + e.reason);
    cv_.notify_all();
  }
  if (c)
    c->close();
  emit(e);
}

// -- the thread ---------------------------------------------------------------

void session_client::run() {
  using kind = attempt_result::kind;
  std::string url = opts_.url;
  unsigned redirects = 0;
  unsigned tries = 0;
  while (!stopping()) {
    auto r = attempt(url);
    if (stopping())
      break;
    if (r.what == kind::live) {
      backoff_.reset();
      redirects = 0;
      tries = 0;
      emit(*r.event);
      auto end = serve(r.conn);
      {
        std::lock_guard<std::mutex> guard{mtx_};
        live_.reset();
        current_.reset();
        if (!stopping_)
          state_ = session_state::connecting;
      }
      if (stopping())
        break;
      session_event gone;
      gone.what = session_event::kind::disconnected;
      gone.url = url;
      gone.reason = end.reason;
      if (end.close)
        gone.close_code = end.close->code;
      emit(gone);
      if (end.session_closed) {
        session_event e;
        e.what = session_event::kind::stopped;
        e.reason = "the node closed the session";
        stop(std::move(e));
        break;
      }
      // What the CLOSE says is decided below, as for an attempt.
      r.what = kind::retry;
      r.reason = end.reason;
      if (end.close) {
        r.close_code = end.close->code;
        if (is_final_close(end.close->code))
          r.what = kind::stop;
        else if (end.close->code ==
                 static_cast<uint64_t>(codec::close_code::going_away)) {
          if (end.close->redirect.empty())
            url = opts_.url; // The same node, once it is back.
          else {
            r.what = kind::redirect;
            r.redirect = end.close->redirect;
          }
        }
      }
    } else if (r.what == kind::retry) {
      // A redirect's target that fails: back to the first URL.
      url = opts_.url;
    }
    if (r.what == kind::stop) {
      session_event e;
      e.what = session_event::kind::stopped;
      e.reason = r.reason;
      e.close_code = r.close_code;
      stop(std::move(e));
      break;
    }
    milliseconds delay{0};
    if (r.what == kind::redirect && ++redirects <= opts_.max_redirects) {
      url = r.redirect;
    } else {
      if (r.what == kind::redirect) {
        url = opts_.url; // Too many in a row.
        redirects = 0;
      }
      delay = backoff_.next();
    }
    session_event again;
    again.what = session_event::kind::reconnecting;
    again.url = url;
    again.reason = r.reason;
    again.attempt = ++tries;
    again.delay = delay;
    emit(again);
    if (!pause(delay))
      break;
  }
  session_event e;
  e.what = session_event::kind::stopped;
  e.reason = "closed";
  stop(std::move(e));
}

bool session_client::go_live(const std::shared_ptr<client>& c,
                             const codec::session& s) {
  std::lock_guard<std::mutex> guard{mtx_};
  if (stopping_)
    return false;
  session_id_ = s.session_id;
  session_key_ = s.session_key;
  token_ = s.stream_token;
  last_seq_ = s.last_seq;
  // Every call without an answer, under its own id: one message.
  auto frames = calls_.send_all();
  if (!frames.empty())
    c->send(frames);
  live_ = c;
  state_ = session_state::live;
  cv_.notify_all();
  return true;
}

session_client::link_end
session_client::serve(const std::shared_ptr<client>& c) {
  link_end end;
  auto beat = heartbeat_ / 2;
  auto silence = heartbeat_ * 3;
  auto now = clock::now();
  auto next_beat = now + beat;
  auto heard_at = now;
  auto heard = c->messages_received();
  while (true) {
    if (stopping() && !c->closed()) {
      // `close()` closed it politely: a node that does not answer the
      // WebSocket close gets a second, then the socket is dropped.
      c->wait_closed(milliseconds{1000});
      if (!c->closed())
        c->abort();
    }
    auto wake = std::min(next_beat, heard_at + silence);
    {
      std::lock_guard<std::mutex> guard{mtx_};
      if (auto due = calls_.next_due())
        wake = std::min(wake, *due);
    }
    auto f = c->next(until(wake, clock::now()));
    now = clock::now();
    if (f) {
      if (auto x = std::get_if<codec::close>(&*f)) {
        end.close = *x;
        end.reason = "CLOSE " + std::to_string(x->code) +
                     (x->message.empty() ? "" : " " + x->message);
      } else if (std::holds_alternative<codec::session_closed>(*f)) {
        end.session_closed = true;
        end.reason = "the node closed the session";
        c->close();
      } else {
        dispatch(*c, *f);
      }
    } else if (c->closed()) {
      break;
    }
    if (auto n = c->messages_received(); n != heard) {
      heard = n;
      heard_at = now;
    } else if (now - heard_at >= silence) {
      end.reason = "the node was silent for 3 heartbeat intervals";
      c->abort();
    }
    if (now >= next_beat) {
      c->send(codec::heartbeat{0, static_cast<uint64_t>(std::time(nullptr))});
      next_beat = now + beat;
    }
    std::lock_guard<std::mutex> guard{mtx_};
    auto frames = calls_.due(now);
    if (!frames.empty())
      c->send(frames);
  }
  // Every frame of the stream taken: the resume starts after the last one.
  last_seq_ = c->last_seq();
  return end;
}

void session_client::dispatch(client& c, codec::frame& f) {
  if (std::holds_alternative<codec::heartbeat>(f) ||
      std::holds_alternative<codec::welcome>(f) ||
      std::holds_alternative<codec::session>(f))
    return;
  push_handler push;
  request_handler serve_request;
  {
    std::lock_guard<std::mutex> guard{mtx_};
    auto taken = calls_.take(f, opts_.max_retries, clock::now());
    if (taken != call_table::outcome::not_ours)
      return;
    push = push_handler_;
    serve_request = request_handler_;
  }
  // An answer to no open call (one that failed meanwhile): dropped.
  if (std::holds_alternative<codec::reply>(f) ||
      std::holds_alternative<codec::error>(f) ||
      std::holds_alternative<codec::retry>(f) ||
      std::holds_alternative<codec::result_part>(f))
    return;
  if (auto x = std::get_if<codec::request>(&f)) {
    if (!serve_request) {
      c.send(codec::error{x->id, "unknown_op", "no such op: " + x->op});
      return;
    }
    auto result = serve_request(*x);
    if (result.error_code.empty())
      c.send(codec::reply{x->id, std::move(result.payload)});
    else
      c.send(codec::error{x->id, result.error_code, result.error_message});
    return;
  }
  if (push)
    push(f);
}

} // namespace tether::client
