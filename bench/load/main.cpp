// tether_load: a load generator for a Tether node (or anything speaking the
// wire contract). One thread, one io_context, every connection driven by
// asynchronous Beast operations.
//
//   echo (W2): N connections, each HELLO then a closed loop of REQUEST
//              `sys.echo` (one open request per connection) for D seconds;
//              prints ops/s and latency percentiles.
//   idle (W1): K connections, each HELLO + SESSION_OPEN, then held for H
//              seconds; prints one line as soon as all are open.
//
// Output: one JSON line on stdout per run.

#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>
#include <variant>
#include <vector>

#include "clients/cpp/client.hpp"
#include "codec/decode.hpp"
#include "codec/encode.hpp"
#include "codec/frames.hpp"
#include "transport/beast.hpp"

namespace {

using namespace tether::transport;
namespace codec = tether::codec;
using clock_type = std::chrono::steady_clock;

struct options {
  std::string url;
  std::string mode = "echo";
  size_t conns = 1;
  double duration_s = 5;
  size_t payload = 32;
  double hold_s = 3;
  size_t max_connecting = 200;
  double connect_timeout_s = 30;
};

struct stats {
  std::vector<uint32_t> latencies_ns; // closed loop: one per completed op
  uint64_t errors = 0;                // answers other than REPLY
  uint64_t failed = 0;                // connections that did not make it
  uint64_t ready = 0;                 // handshakes (and sessions) done
  uint64_t finished = 0;              // connections done (either way)
};

/// One MessagePack bin value of `n` bytes.
codec::value bin_payload(size_t n) {
  std::string b;
  if (n < 256) {
    b.push_back('\xc4');
    b.push_back(static_cast<char>(n));
  } else if (n < 65536) {
    b.push_back('\xc5');
    b.push_back(static_cast<char>(n >> 8));
    b.push_back(static_cast<char>(n & 0xff));
  } else {
    b.push_back('\xc6');
    for (int s = 24; s >= 0; s -= 8)
      b.push_back(static_cast<char>((n >> s) & 0xff));
  }
  b.append(n, 'x');
  return codec::value::from_encoded(std::move(b));
}

class driver;

/// One WebSocket connection and its closed loop.
class connection : public std::enable_shared_from_this<connection> {
 public:
  enum class state { connecting, hello, session, ready, running, done };

  connection(net::io_context& ioc, driver& d) : ws_(ioc), driver_(d) {}

  void start();
  void begin_loop();
  void stop();
  state current() const { return state_; }

 private:
  void on_connect(error_code ec);
  void do_read();
  void on_read(error_code ec);
  void on_frame(codec::frame& f);
  void send_request();
  void send(std::string bytes);
  void finish(bool ok);

  websocket::stream<tcp::socket> ws_;
  driver& driver_;
  beast::flat_buffer buf_;
  std::string out_;
  state state_ = state::connecting;
  uint64_t next_id_ = 1;
  clock_type::time_point sent_at_;
  bool writing_ = false;
  bool stopping_ = false;
};

class driver {
 public:
  driver(const options& opt, const tether::client::endpoint& where)
      : opt_(opt), where_(where), payload_(bin_payload(opt.payload)) {
    if (opt.mode == "echo")
      st_.latencies_ns.reserve(1 << 20);
  }

  net::io_context& ioc() { return ioc_; }
  const options& opt() const { return opt_; }
  const tether::client::endpoint& where() const { return where_; }
  const codec::value& payload() const { return payload_; }
  stats& st() { return st_; }
  bool idle_mode() const { return opt_.mode == "idle"; }
  clock_type::time_point deadline() const { return deadline_; }
  bool running() const { return running_; }

  int run();

  /// A connection finished its handshake (or failed, or ended).
  void on_ready(bool ok);
  void on_finished();

 private:
  void launch_more();
  void all_connected();
  void report_echo();
  void report_idle();
  void stop_all();

  options opt_;
  tether::client::endpoint where_;
  codec::value payload_;
  net::io_context ioc_{1};
  std::vector<std::shared_ptr<connection>> conns_;
  size_t launched_ = 0;
  size_t connecting_ = 0;
  stats st_;
  bool running_ = false;
  bool connected_all_ = false;
  clock_type::time_point started_;
  clock_type::time_point loop_start_;
  clock_type::time_point loop_end_;
  clock_type::time_point deadline_;
  double open_s_ = 0;
  net::steady_timer guard_{ioc_};
  net::steady_timer phase_{ioc_};
  rusage ru_start_{};
};

void connection::start() {
  auto& sock = ws_.next_layer();
  tcp::endpoint ep{net::ip::make_address(driver_.where().host),
                   driver_.where().port};
  sock.async_connect(
      ep, [self = shared_from_this()](error_code ec) { self->on_connect(ec); });
}

void connection::on_connect(error_code ec) {
  if (ec || stopping_)
    return finish(false);
  ws_.next_layer().set_option(tcp::no_delay(true), ec);
  ws_.read_message_max(64 << 20);
  ws_.auto_fragment(false);
  ws_.binary(true);
  auto host = driver_.where().host + ":" + std::to_string(driver_.where().port);
  ws_.async_handshake(host, driver_.where().path,
                      [self = shared_from_this()](error_code ec) {
                        if (ec || self->stopping_)
                          return self->finish(false);
                        self->state_ = state::hello;
                        codec::hello h;
                        h.agent = "tether_load";
                        std::string out;
                        codec::encode_one(h, out);
                        self->send(std::move(out));
                        self->do_read();
                      });
}

void connection::do_read() {
  ws_.async_read(buf_, [self = shared_from_this()](error_code ec, size_t) {
    self->on_read(ec);
  });
}

void connection::on_read(error_code ec) {
  if (ec)
    return finish(state_ == state::done || stopping_);
  auto data = buf_.cdata();
  auto batch =
      codec::decode_batch(static_cast<const char*>(data.data()), data.size());
  buf_.consume(buf_.size());
  if (std::holds_alternative<codec::decode_error>(batch)) {
    ++driver_.st().errors;
    return finish(false);
  }
  for (auto& f : std::get<std::vector<codec::frame>>(batch)) {
    on_frame(f);
    if (state_ == state::done)
      return;
  }
  do_read();
}

void connection::on_frame(codec::frame& f) {
  if (std::holds_alternative<codec::close>(f))
    return finish(state_ == state::running || state_ == state::ready);
  switch (state_) {
  case state::hello:
    if (std::holds_alternative<codec::welcome>(f)) {
      if (driver_.idle_mode()) {
        state_ = state::session;
        std::string out;
        codec::encode_one(codec::session_open{next_id_++, {}}, out);
        send(std::move(out));
      } else {
        state_ = state::ready;
        driver_.on_ready(true);
      }
    }
    break;
  case state::session:
    if (std::holds_alternative<codec::session>(f)) {
      state_ = state::ready;
      driver_.on_ready(true);
    } else if (std::holds_alternative<codec::error>(f)) {
      ++driver_.st().errors;
      finish(false);
    }
    break;
  case state::running: {
    // Sessions number their frames; the echo workload has none, but
    // unwrap SEQ anyway.
    if (auto* s = std::get_if<codec::seq>(&f)) {
      auto inner =
          codec::decode_frame(s->frame.bytes.data(), s->frame.bytes.size());
      if (auto* g = std::get_if<codec::frame>(&inner))
        return on_frame(*g);
      return;
    }
    bool answered = false;
    if (auto* r = std::get_if<codec::reply>(&f)) {
      answered = r->id == next_id_ - 1;
    } else if (auto* e = std::get_if<codec::error>(&f)) {
      answered = e->id == next_id_ - 1;
      ++driver_.st().errors;
    } else if (auto* t = std::get_if<codec::retry>(&f)) {
      answered = t->id == next_id_ - 1;
      ++driver_.st().errors;
    }
    if (!answered)
      break;
    auto now = clock_type::now();
    if (std::holds_alternative<codec::reply>(f))
      driver_.st().latencies_ns.push_back(
          static_cast<uint32_t>(std::min<int64_t>(
              std::chrono::duration_cast<std::chrono::nanoseconds>(now -
                                                                   sent_at_)
                  .count(),
              UINT32_MAX)));
    if (now < driver_.deadline() && !stopping_)
      send_request();
    else
      finish(true);
    break;
  }
  default:
    break;
  }
}

void connection::begin_loop() {
  if (state_ != state::ready)
    return;
  state_ = state::running;
  send_request();
}

void connection::send_request() {
  std::string out;
  codec::encode_one(codec::request{next_id_++, "sys.echo", driver_.payload()},
                    out);
  sent_at_ = clock_type::now();
  send(std::move(out));
}

void connection::send(std::string bytes) {
  // Closed loop: at most one request, so at most one write, at a time.
  if (writing_)
    return;
  out_ = std::move(bytes);
  writing_ = true;
  ws_.async_write(net::buffer(out_),
                  [self = shared_from_this()](error_code ec, size_t) {
                    self->writing_ = false;
                    if (ec)
                      self->finish(self->stopping_);
                  });
}

void connection::stop() {
  stopping_ = true;
  if (state_ == state::done)
    return;
  error_code ignored;
  ws_.next_layer().shutdown(tcp::socket::shutdown_both, ignored);
  ws_.next_layer().close(ignored);
}

void connection::finish(bool ok) {
  if (state_ == state::done)
    return;
  auto before = state_;
  state_ = state::done;
  error_code ignored;
  ws_.next_layer().shutdown(tcp::socket::shutdown_both, ignored);
  ws_.next_layer().close(ignored);
  if (before != state::ready && before != state::running)
    driver_.on_ready(false);
  else if (!ok)
    ++driver_.st().failed;
  driver_.on_finished();
}

void driver::launch_more() {
  while (launched_ < opt_.conns && connecting_ < opt_.max_connecting) {
    auto c = std::make_shared<connection>(ioc_, *this);
    conns_.push_back(c);
    ++launched_;
    ++connecting_;
    c->start();
  }
}

void driver::on_ready(bool ok) {
  --connecting_;
  if (ok)
    ++st_.ready;
  else
    ++st_.failed;
  if (st_.ready + st_.failed == opt_.conns)
    all_connected();
  else
    launch_more();
}

void driver::on_finished() {
  ++st_.finished;
  if (running_ && !idle_mode() && st_.finished == opt_.conns) {
    loop_end_ = clock_type::now();
    running_ = false;
    guard_.cancel();
  }
}

void driver::all_connected() {
  if (connected_all_)
    return;
  connected_all_ = true;
  open_s_ = std::chrono::duration<double>(clock_type::now() - started_).count();
  guard_.cancel();
  if (idle_mode()) {
    report_idle();
    phase_.expires_after(
        std::chrono::milliseconds(static_cast<int64_t>(opt_.hold_s * 1000)));
    phase_.async_wait([this](error_code) { stop_all(); });
    return;
  }
  getrusage(RUSAGE_SELF, &ru_start_);
  running_ = true;
  loop_start_ = clock_type::now();
  deadline_ = loop_start_ + std::chrono::milliseconds(
                                static_cast<int64_t>(opt_.duration_s * 1000));
  // Answers that never come must not hang the run.
  guard_.expires_at(deadline_ + std::chrono::seconds(5));
  guard_.async_wait([this](error_code ec) {
    if (ec)
      return;
    loop_end_ = clock_type::now();
    running_ = false;
    stop_all();
  });
  for (auto& c : conns_)
    c->begin_loop();
  if (st_.ready == 0) {
    loop_end_ = loop_start_;
    running_ = false;
    guard_.cancel();
  }
}

void driver::stop_all() {
  for (auto& c : conns_)
    c->stop();
}

double pct(const std::vector<uint32_t>& sorted, double p) {
  if (sorted.empty())
    return 0;
  auto i = static_cast<size_t>(p * static_cast<double>(sorted.size() - 1));
  return sorted[i] / 1000.0;
}

double cpu_s(const rusage& r) {
  return static_cast<double>(r.ru_utime.tv_sec + r.ru_stime.tv_sec) +
         static_cast<double>(r.ru_utime.tv_usec + r.ru_stime.tv_usec) / 1e6;
}

void driver::report_echo() {
  rusage ru_end{};
  getrusage(RUSAGE_SELF, &ru_end);
  auto& lat = st_.latencies_ns;
  std::sort(lat.begin(), lat.end());
  double wall = std::chrono::duration<double>(loop_end_ - loop_start_).count();
  double ops = static_cast<double>(lat.size());
  std::ostringstream o;
  o.setf(std::ios::fixed);
  o.precision(1);
  o << "{\"mode\":\"echo\",\"url\":\"" << opt_.url
    << "\",\"conns\":" << opt_.conns << ",\"connected\":" << st_.ready
    << ",\"failed\":" << st_.failed << ",\"payload\":" << opt_.payload
    << ",\"duration_s\":" << wall << ",\"ops\":" << lat.size()
    << ",\"errors\":" << st_.errors
    << ",\"ops_per_s\":" << (wall > 0 ? ops / wall : 0)
    << ",\"p50_us\":" << pct(lat, 0.5) << ",\"p99_us\":" << pct(lat, 0.99)
    << ",\"p999_us\":" << pct(lat, 0.999)
    << ",\"max_us\":" << (lat.empty() ? 0.0 : lat.back() / 1000.0);
  o.precision(3);
  o << ",\"open_s\":" << open_s_ << ",\"client_cpu_util\":"
    << (wall > 0 ? (cpu_s(ru_end) - cpu_s(ru_start_)) / wall : 0)
    << ",\"client_cpu_total_s\":" << cpu_s(ru_end) << "}";
  std::cout << o.str() << std::endl;
}

void driver::report_idle() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  std::ostringstream o;
  o.setf(std::ios::fixed);
  o.precision(3);
  o << "{\"mode\":\"idle\",\"url\":\"" << opt_.url
    << "\",\"conns\":" << opt_.conns << ",\"connected\":" << st_.ready
    << ",\"failed\":" << st_.failed << ",\"errors\":" << st_.errors
    << ",\"open_s\":" << open_s_ << ",\"hold_s\":" << opt_.hold_s
    << ",\"client_cpu_total_s\":" << cpu_s(ru) << "}";
  std::cout << o.str() << std::endl;
}

int driver::run() {
  started_ = clock_type::now();
  guard_.expires_after(std::chrono::milliseconds(
      static_cast<int64_t>(opt_.connect_timeout_s * 1000)));
  guard_.async_wait([this](error_code ec) {
    if (ec)
      return;
    std::cerr << "tether_load: connecting took longer than "
              << opt_.connect_timeout_s << " s\n";
    stop_all();
  });
  launch_more();
  // Whatever happens, the run ends: a last timer stops the io_context.
  auto limit = opt_.connect_timeout_s + opt_.duration_s + opt_.hold_s + 15;
  net::steady_timer last{ioc_};
  last.expires_after(
      std::chrono::milliseconds(static_cast<int64_t>(limit * 1000)));
  last.async_wait([this](error_code ec) {
    if (!ec) {
      std::cerr << "tether_load: hard time limit reached\n";
      ioc_.stop();
    }
  });
  // Runs until every connection is done and the last timer is cancelled.
  while (!ioc_.stopped()) {
    ioc_.run_one_for(std::chrono::milliseconds(100));
    if (st_.finished == opt_.conns && launched_ == opt_.conns)
      break;
  }
  last.cancel();
  if (!idle_mode()) {
    if (loop_end_ == clock_type::time_point{})
      loop_end_ = clock_type::now();
    report_echo();
  } else if (!connected_all_) {
    report_idle();
  }
  return st_.ready == opt_.conns ? 0 : 1;
}

const char* usage =
    "usage: tether_load --url ws://HOST:PORT/ws [--mode echo|idle]\n"
    "         [--conns N] [--duration S] [--payload BYTES] [--hold S]\n"
    "         [--max-connecting N] [--connect-timeout S]\n";

} // namespace

int main(int argc, char** argv) {
  options opt;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    std::string val;
    auto eq = arg.find('=');
    if (eq != std::string::npos) {
      val = arg.substr(eq + 1);
      arg = arg.substr(0, eq);
    } else if (arg != "--help" && i + 1 < argc) {
      val = argv[++i];
    }
    try {
      if (arg == "--url")
        opt.url = val;
      else if (arg == "--mode")
        opt.mode = val;
      else if (arg == "--conns")
        opt.conns = std::stoul(val);
      else if (arg == "--duration")
        opt.duration_s = std::stod(val);
      else if (arg == "--payload")
        opt.payload = std::stoul(val);
      else if (arg == "--hold")
        opt.hold_s = std::stod(val);
      else if (arg == "--max-connecting")
        opt.max_connecting = std::max<size_t>(1, std::stoul(val));
      else if (arg == "--connect-timeout")
        opt.connect_timeout_s = std::stod(val);
      else {
        std::cerr << usage;
        return arg == "--help" ? 0 : 2;
      }
    } catch (const std::exception&) {
      std::cerr << "bad value for " << arg << "\n" << usage;
      return 2;
    }
  }
  auto where = tether::client::parse_url(opt.url);
  if (!where || (opt.mode != "echo" && opt.mode != "idle") || opt.conns == 0) {
    std::cerr << usage;
    return 2;
  }
  if (opt.mode == "idle")
    opt.duration_s = 0;
  driver d{opt, *where};
  return d.run();
}
