// One attempt of a session client: connect, HELLO, and open, resume or
// attach its stream.

#include "tether/clients/cpp/session_client.hpp"
#include "tether/clients/cpp/session_link.hpp"

namespace tether::client {

bool is_final_close(uint64_t code) {
  using cc = codec::close_code;
  return code == static_cast<uint64_t>(cc::unsupported_version) ||
         code == static_cast<uint64_t>(cc::replaced) ||
         code == static_cast<uint64_t>(cc::unauthorized);
}

namespace {

using result = detail::attempt_result;

result retry(std::string reason) {
  result r;
  r.what = result::kind::retry;
  r.reason = std::move(reason);
  return r;
}

/// A connection that ended (or will not answer) during an attempt: what
/// its CLOSE, if any, says to do.
result ended(client& c, std::string reason) {
  auto close = c.wait_closed(std::chrono::milliseconds{0});
  c.abort();
  result r = retry(std::move(reason));
  if (!close)
    return r;
  r.close_code = close->code;
  r.reason += ": CLOSE " + std::to_string(close->code) +
              (close->message.empty() ? "" : " " + close->message);
  if (is_final_close(close->code))
    r.what = result::kind::stop;
  else if (close->code ==
               static_cast<uint64_t>(codec::close_code::going_away) &&
           !close->redirect.empty()) {
    r.what = result::kind::redirect;
    r.redirect = close->redirect;
  }
  return r;
}

/// No SESSION came: an ERROR the attempt cannot go on from (retried after
/// a backoff), or the connection ended or went silent.
result no_session(client& c, const std::string& step, const std::string& code) {
  if (c.closed() || code == "timeout")
    return ended(c, step + ": no SESSION");
  c.abort();
  return retry(step + ": ERROR " + code);
}

} // namespace

session_client::attempt_result session_client::attempt(const std::string& url) {
  auto where = parse_url(url);
  if (!where) {
    if (url == opts_.url) {
      result r;
      r.what = result::kind::stop;
      r.reason = "not a ws://, wss://, http:// or https:// URL: " + url;
      return r;
    }
    return retry("a redirect to a bad URL: " + url);
  }
  where->tls_options = opts_.tls;
  std::string error;
  auto c = client::connect(io_, *where, &error, opts_.step_timeout);
  if (!c)
    return retry("cannot connect to " + url + ": " + error);
  {
    std::lock_guard<std::mutex> guard{mtx_};
    if (stopping_) {
      c->abort();
      return retry("closing");
    }
    current_ = c;
  }
  auto welcome = c->hello(opts_.auth, opts_.agent, opts_.step_timeout);
  if (!welcome)
    return ended(*c, "no WELCOME from " + url);
  heartbeat_ = std::chrono::milliseconds{
      welcome->heartbeat_ms > 0 ? welcome->heartbeat_ms : 15000};
  auto r = attach_stream(c);
  if (r.event)
    r.event->url = url;
  return r;
}

session_client::attempt_result
session_client::attach_stream(const std::shared_ptr<client>& c) {
  std::string error;
  auto step = opts_.step_timeout;
  session_event told;
  std::optional<codec::session> s;
  if (token_.empty()) {
    s = c->open_session(opts_.info, &error, step);
    if (!s)
      return no_session(*c, "SESSION_OPEN", error);
    told.what = session_event::kind::connected;
  } else {
    s = c->resume_session(token_, last_seq_, &error, step);
    told.what = session_event::kind::resumed;
    if (!s && (error == "resume_gap" || error == "stream_not_found")) {
      // The stream is gone; the session may not be: a new stream of it.
      told.what = session_event::kind::resume_gap;
      told.reason = error;
      s = c->attach_session(session_key_, &error, step);
      if (!s && error == "session_not_found") {
        told.what = session_event::kind::new_session;
        told.reason = error;
        s = c->open_session(opts_.info, &error, step);
      }
    }
    if (!s)
      return no_session(*c, "the stream", error);
  }
  result r;
  r.what = result::kind::live;
  r.conn = c;
  r.event = told;
  // Calls that may have run on a lost stream cannot get their answer.
  if (told.what == session_event::kind::resume_gap ||
      told.what == session_event::kind::new_session) {
    std::lock_guard<std::mutex> guard{mtx_};
    r.event->lost_calls = calls_.fail_sent(
        "resume_gap", "the stream was lost (" + told.reason +
                          "): the call may or may not have run");
  }
  if (!go_live(c, *s))
    return retry("closing");
  return r;
}

} // namespace tether::client
