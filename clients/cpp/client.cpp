#include "tether/clients/cpp/client.hpp"

#include <algorithm>

#include "tether/clients/cpp/poll_link.hpp"
#include "tether/codec/decode.hpp"
#include "tether/codec/encode.hpp"
#include "tether/codec/upload.hpp"

namespace tether::client {

// -- io_thread ----------------------------------------------------------------

io_thread::io_thread()
    : work_(ioc_.get_executor()), thread_([this] { ioc_.run(); }) {}

io_thread::~io_thread() {
  work_.reset();
  ioc_.stop();
  thread_.join();
}

// -- URLs
// -----------------------------------------------------------------------

std::optional<endpoint> parse_url(const std::string& url) {
  endpoint result;
  std::string rest;
  auto scheme = url.substr(0, url.find("://"));
  if (scheme == "ws" || scheme == "http") {
    result.port = 80;
  } else if (scheme == "wss" || scheme == "https") {
    result.port = 443;
    result.tls = true;
  } else {
    return std::nullopt;
  }
  result.polling = scheme.rfind("http", 0) == 0;
  rest = url.substr(scheme.size() + 3);
  auto slash = rest.find('/');
  auto authority = rest.substr(0, slash);
  result.path = slash == std::string::npos ? "/" : rest.substr(slash);
  if (result.polling && result.path == "/")
    result.path = "/poll";
  // A colon after the last ']' (or in a host without brackets) starts the
  // port.
  auto bracket = authority.rfind(']');
  auto colon = authority.rfind(':');
  if (colon != std::string::npos &&
      (bracket == std::string::npos || colon > bracket)) {
    try {
      auto port = std::stoul(authority.substr(colon + 1));
      if (port == 0 || port > 65535)
        return std::nullopt;
      result.port = static_cast<uint16_t>(port);
    } catch (const std::exception&) {
      return std::nullopt;
    }
    authority = authority.substr(0, colon);
  }
  result.host = authority;
  if (result.host.size() >= 2 && result.host.front() == '[')
    result.host = result.host.substr(1, result.host.size() - 2);
  if (result.host.empty())
    return std::nullopt;
  return result;
}

// -- client -------------------------------------------------------------------

std::shared_ptr<client> client::connect(io_thread& io, const endpoint& where,
                                        std::string* error,
                                        std::chrono::milliseconds timeout) {
  std::shared_ptr<client> self{new client};
  if (where.tls) {
    std::string problem;
    auto ctx = transport::make_tls_client(where.tls_options, problem);
    if (!ctx) {
      if (error)
        *error = problem;
      return nullptr;
    }
    if (where.polling)
      self->ws_ = std::make_shared<poll_link>(io.context(), std::move(ctx),
                                              where.tls_options.verify);
    else
      self->ws_ = std::make_shared<transport::ws_client>(
          io.context(), std::move(ctx), where.tls_options.verify);
  } else if (where.polling) {
    self->ws_ = std::make_shared<poll_link>(io.context(), nullptr, false);
  } else {
    self->ws_ = std::make_shared<transport::ws_client>(io.context());
  }
  if (auto ec =
          self->ws_->connect(where.host, where.port, where.path, timeout)) {
    if (error) {
      *error = ec.message();
      if (auto why = self->ws_->refused_certificate(); !why.empty())
        *error += ": " + why;
    }
    return nullptr;
  }
  std::weak_ptr<client> weak = self;
  self->ws_->start({[weak](std::string bytes, bool binary) {
                      if (auto c = weak.lock())
                        c->on_message(std::move(bytes), binary);
                    },
                    [weak](const std::string& reason) {
                      if (auto c = weak.lock())
                        c->on_closed(reason);
                    }});
  return self;
}

std::shared_ptr<client> client::open(io_thread& io, const std::string& url,
                                     std::string& error, codec::map_value auth,
                                     const transport::tls_client_options& tls) {
  auto where = parse_url(url);
  if (!where) {
    error = "not a ws://, wss://, http:// or https:// URL: " + url;
    return nullptr;
  }
  where->tls_options = tls;
  auto c = connect(io, *where, &error);
  if (!c)
    return nullptr;
  if (!c->hello(std::move(auth))) {
    error = "the node did not welcome us";
    return nullptr;
  }
  return c;
}

client::~client() {
  if (ws_)
    ws_->abort();
  // The socket's end no longer reaches this object: what is still open
  // fails here, rather than as a broken promise.
  fail_pending(true);
}

std::optional<codec::welcome> client::hello(codec::map_value auth,
                                            const std::string& agent,
                                            std::chrono::milliseconds timeout) {
  send(codec::hello{1, agent, std::move(auth)});
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0)
      return std::nullopt;
    auto f = next(left);
    if (!f || std::holds_alternative<codec::close>(*f))
      return std::nullopt;
    if (auto w = std::get_if<codec::welcome>(&*f)) {
      uint64_t every = 0;
      auto x = codec::lookup(w->limits, "ack_every");
      std::lock_guard<std::mutex> guard{mtx_};
      if (!ack_every_set_ && x.convert_to(every))
        ack_every_ = every;
      return *w;
    }
  }
}

std::optional<codec::session>
client::await_session(uint64_t id, std::string* error,
                      std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  // Waits for the answer (never numbered) without taking other frames.
  std::optional<codec::session> result;
  std::string code = "timeout";
  std::unique_lock<std::mutex> lock{mtx_};
  auto find_answer = [&] {
    for (auto i = inbox_.begin(); i != inbox_.end(); ++i) {
      if (auto s = std::get_if<codec::session>(&i->frame); s && s->id == id) {
        result = *s;
      } else if (auto e = std::get_if<codec::error>(&i->frame);
                 e && e->id == id) {
        code = e->code;
      } else {
        continue;
      }
      inbox_.erase(i);
      return true;
    }
    return closed_;
  };
  cv_.wait_until(lock, deadline, find_answer);
  if (!result && error)
    *error = code;
  return result;
}

std::optional<codec::session>
client::open_session(codec::map_value info, std::string* error,
                     std::chrono::milliseconds timeout) {
  restart_numbering(0);
  auto id = next_id_++;
  send(codec::session_open{id, std::move(info)});
  return await_session(id, error, timeout);
}

std::optional<codec::session>
client::attach_session(const std::string& key, std::string* error,
                       std::chrono::milliseconds timeout) {
  restart_numbering(0);
  auto id = next_id_++;
  send(codec::session_attach{id, key});
  return await_session(id, error, timeout);
}

std::optional<codec::session>
client::resume_session(const std::string& token, uint64_t last_seq,
                       std::string* error, std::chrono::milliseconds timeout) {
  restart_numbering(last_seq);
  auto id = next_id_++;
  send(codec::session_resume{id, token, last_seq});
  return await_session(id, error, timeout);
}

void client::restart_numbering(uint64_t last_seq) {
  // The stream asked for numbers its frames after `last_seq`: 0 for a new
  // one (also after a resume that failed on this connection).
  std::lock_guard<std::mutex> guard{mtx_};
  received_seq_ = taken_seq_ = acked_seq_ = last_seq;
}

uint64_t client::processed_seq_locked() const {
  // The inbox is in order: its first numbered frame is the oldest unread.
  for (const auto& e : inbox_)
    if (e.seq > 0)
      return e.seq - 1;
  return taken_seq_;
}

uint64_t client::last_seq() const {
  std::lock_guard<std::mutex> guard{mtx_};
  return processed_seq_locked();
}

void client::ack() {
  uint64_t seq;
  {
    std::lock_guard<std::mutex> guard{mtx_};
    seq = acked_seq_ = processed_seq_locked();
  }
  send(codec::ack{seq});
}

void client::processed(uint64_t seq) {
  if (seq == 0)
    return;
  uint64_t due = 0;
  {
    std::lock_guard<std::mutex> guard{mtx_};
    auto done = processed_seq_locked();
    if (ack_every_ > 0 && done >= acked_seq_ + ack_every_)
      due = acked_seq_ = done;
  }
  if (due > 0)
    send(codec::ack{due});
}

void client::auto_ack(uint64_t every) {
  std::lock_guard<std::mutex> guard{mtx_};
  ack_every_ = every;
  ack_every_set_ = true;
}

uint64_t client::duplicates() const {
  std::lock_guard<std::mutex> guard{mtx_};
  return duplicates_;
}

uint64_t client::gaps() const {
  std::lock_guard<std::mutex> guard{mtx_};
  return gaps_;
}

std::optional<std::future<answer>> client::add_pending(uint64_t id) {
  // Under the lock that `on_closed` takes: either the entry is in place
  // before the connection ends (and fails with it), or the end is seen
  // here. A call never waits on a connection that is gone.
  std::lock_guard<std::mutex> guard{mtx_};
  if (closed_ || closing_)
    return std::nullopt;
  return pending_[id].promise.get_future();
}

std::future<answer> client::failed_call() {
  std::promise<answer> done;
  answer a;
  a.what = answer::kind::closed;
  a.code = "closed";
  a.message = "the connection is closed";
  done.set_value(std::move(a));
  return done.get_future();
}

std::future<answer> client::call(const std::string& op, codec::value payload) {
  auto id = next_id_++;
  auto result = add_pending(id);
  if (!result)
    return failed_call();
  send(codec::request{id, op, std::move(payload)});
  return std::move(*result);
}

std::future<answer> client::call_stream(const std::string& op,
                                        std::vector<codec::value> parts) {
  auto id = next_id_++;
  auto result = add_pending(id);
  if (!result)
    return failed_call();
  send(codec::upload_frames(id, op, parts));
  return std::move(*result);
}

void client::cancel(uint64_t id) {
  send(codec::cancel{id});
}

void client::on_signal(std::function<void(const codec::signal&)> fn) {
  std::lock_guard<std::mutex> guard{mtx_};
  signal_handler_ = std::move(fn);
}

void client::on_request(std::function<served(const codec::request&)> fn) {
  std::lock_guard<std::mutex> guard{mtx_};
  request_handler_ = std::move(fn);
}

void client::send(const std::vector<codec::frame>& frames) {
  std::string bytes;
  for (const auto& f : frames)
    codec::encode(f, bytes);
  send_raw(std::move(bytes));
}

void client::send(const codec::frame& frame) {
  send_raw(codec::encode(frame));
}

void client::send_raw(std::string bytes, bool binary) {
  ws_->send(transport::make_shared_bytes(std::move(bytes)), binary);
}

std::optional<codec::frame> client::next(std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> lock{mtx_};
  cv_.wait_for(lock, timeout, [this] { return !inbox_.empty() || closed_; });
  if (inbox_.empty()) {
    // Idle: acknowledge what was processed, as the contract asks, so the
    // node need not keep it (only with automatic ACKs on).
    auto done = processed_seq_locked();
    bool due = ack_every_ > 0 && done > acked_seq_ && !closed_;
    if (due)
      acked_seq_ = done;
    lock.unlock();
    if (due)
      send(codec::ack{done});
    return std::nullopt;
  }
  auto e = std::move(inbox_.front());
  inbox_.pop_front();
  lock.unlock();
  processed(e.seq);
  return std::move(e.frame);
}

std::optional<codec::close>
client::wait_closed(std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> lock{mtx_};
  cv_.wait_for(lock, timeout, [this] { return closed_; });
  return close_frame_;
}

bool client::closed() const {
  std::lock_guard<std::mutex> guard{mtx_};
  return closed_;
}

void client::close() {
  // The calls end now: a node that never answers the WebSocket close
  // must not keep them waiting.
  fail_pending(false);
  ws_->close();
}

void client::abort() {
  ws_->abort();
}

void client::on_message(std::string bytes, bool) {
  ++messages_;
  auto decoded = codec::decode_batch(bytes.data(), bytes.size());
  if (std::holds_alternative<codec::decode_error>(decoded)) {
    // A node that breaks the contract: treat as a closed connection.
    ws_->abort();
    return;
  }
  for (auto& f : std::get<std::vector<codec::frame>>(decoded)) {
    auto s = std::get_if<codec::seq>(&f);
    if (!s) {
      take(std::move(f), 0);
      continue;
    }
    auto inner =
        codec::decode_frame(s->frame.bytes.data(), s->frame.bytes.size());
    if (std::holds_alternative<codec::decode_error>(inner)) {
      ws_->abort();
      return;
    }
    {
      std::lock_guard<std::mutex> guard{mtx_};
      if (s->seq <= received_seq_) {
        ++duplicates_;
        continue;
      }
      if (s->seq != received_seq_ + 1)
        ++gaps_;
      received_seq_ = s->seq;
    }
    take(std::move(std::get<codec::frame>(inner)), s->seq);
  }
}

void client::take(codec::frame&& f, uint64_t seq) {
  if (route(f, seq)) {
    processed(seq);
    return;
  }
  std::lock_guard<std::mutex> guard{mtx_};
  if (auto c = std::get_if<codec::close>(&f))
    close_frame_ = *c;
  inbox_.push_back({std::move(f), seq});
  taken_seq_ = std::max(taken_seq_, seq);
  cv_.notify_all();
}

void client::settle(uint64_t id, answer a) {
  std::unique_lock<std::mutex> lock{mtx_};
  auto i = pending_.find(id);
  if (i == pending_.end())
    return; // Failed by the connection's end meanwhile.
  auto promise = std::move(i->second.promise);
  pending_.erase(i);
  lock.unlock();
  promise.set_value(std::move(a));
}

bool client::route(codec::frame& f, uint64_t seq) {
  std::unique_lock<std::mutex> lock{mtx_};
  // A frame handed on counts for last_seq before its answer is seen.
  auto claim = [this, seq] { taken_seq_ = std::max(taken_seq_, seq); };
  auto is_pending = [this](uint64_t id) { return pending_.count(id) > 0; };
  if (auto x = std::get_if<codec::reply>(&f); x && is_pending(x->id)) {
    claim();
    lock.unlock();
    answer a;
    a.what = answer::kind::reply;
    a.payload = std::move(x->payload);
    settle(x->id, std::move(a));
    return true;
  }
  if (auto x = std::get_if<codec::error>(&f); x && is_pending(x->id)) {
    claim();
    lock.unlock();
    answer a;
    a.what = answer::kind::error;
    a.code = x->code;
    a.message = x->message;
    settle(x->id, std::move(a));
    return true;
  }
  if (auto x = std::get_if<codec::retry>(&f); x && is_pending(x->id)) {
    claim();
    lock.unlock();
    answer a;
    a.what = answer::kind::retry;
    a.wait_ms = x->wait_ms;
    a.message = x->reason;
    settle(x->id, std::move(a));
    return true;
  }
  if (auto x = std::get_if<codec::result_part>(&f); x && is_pending(x->id)) {
    auto& p = pending_[x->id];
    p.parts.push_back(std::move(x->payload));
    claim();
    if (!x->last)
      return true;
    answer a;
    a.what = answer::kind::parts;
    a.parts = std::move(p.parts);
    lock.unlock();
    settle(x->id, std::move(a));
    return true;
  }
  if (auto x = std::get_if<codec::signal>(&f); x && signal_handler_) {
    auto handler = signal_handler_;
    claim();
    lock.unlock();
    handler(*x);
    return true;
  }
  if (auto x = std::get_if<codec::request>(&f); x && request_handler_) {
    auto handler = request_handler_;
    claim();
    lock.unlock();
    auto result = handler(*x);
    if (result.error_code.empty())
      send(codec::reply{x->id, std::move(result.payload)});
    else
      send(codec::error{x->id, result.error_code, result.error_message});
    return true;
  }
  return false;
}

void client::on_closed(const std::string&) {
  fail_pending(true);
}

void client::fail_pending(bool ended) {
  std::map<uint64_t, pending> orphans;
  {
    std::lock_guard<std::mutex> guard{mtx_};
    if (ended)
      closed_ = true;
    else
      closing_ = true;
    orphans.swap(pending_);
    cv_.notify_all();
  }
  for (auto& kv : orphans) {
    answer a;
    a.what = answer::kind::closed;
    a.code = "closed";
    a.message = "the connection closed before the answer came";
    kv.second.promise.set_value(std::move(a));
  }
}

} // namespace tether::client
