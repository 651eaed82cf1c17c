#include "tether/tests/client/helpers.hpp"

#include <algorithm>
#include <arpa/inet.h>
#include <cerrno>
#include <csignal>
#include <netinet/in.h>
#include <stdexcept>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <caf/typed_event_based_actor.hpp>

#include "tether/codec/encode.hpp"

namespace tether::test {

// -- event_log ----------------------------------------------------------------

void event_log::attach(client::session_client& sc) {
  sc.on_event([this](const client::session_event& e) { add(e); });
}

void event_log::add(const client::session_event& e) {
  std::lock_guard<std::mutex> guard{mtx_};
  events_.push_back(e);
  cv_.notify_all();
}

bool event_log::wait_for(kind what, size_t n,
                         std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> lock{mtx_};
  return cv_.wait_for(lock, timeout, [&] {
    return static_cast<size_t>(std::count_if(
               events_.begin(), events_.end(),
               [&](const auto& e) { return e.what == what; })) >= n;
  });
}

size_t event_log::count(kind what) const {
  std::lock_guard<std::mutex> guard{mtx_};
  return static_cast<size_t>(
      std::count_if(events_.begin(), events_.end(),
                    [&](const auto& e) { return e.what == what; }));
}

std::vector<client::session_event> event_log::all() const {
  std::lock_guard<std::mutex> guard{mtx_};
  return events_;
}

std::string event_log::summary() const {
  std::string out;
  for (const auto& e : all()) {
    out += to_string(e.what);
    if (!e.reason.empty())
      out += " (" + e.reason + ")";
    out += "; ";
  }
  return out;
}

// -- signal_count -------------------------------------------------------------

void signal_count::attach(client::session_client& sc) {
  sc.on_push([this](const codec::frame& f) {
    if (auto s = std::get_if<codec::signal>(&f)) {
      std::lock_guard<std::mutex> guard{mtx_};
      names_.push_back(s->name);
    }
  });
}

int signal_count::of(const std::string& name) const {
  std::lock_guard<std::mutex> guard{mtx_};
  return static_cast<int>(std::count(names_.begin(), names_.end(), name));
}

// -- ports and URLs -----------------------------------------------------------

uint16_t free_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0)
    throw std::runtime_error("socket failed");
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof(addr);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    ::close(fd);
    throw std::runtime_error("no free port");
  }
  ::close(fd);
  return ntohs(addr.sin_port);
}

void freeze(child_node& node) {
  node.signal(SIGSTOP);
  int status = 0;
  pid_t r;
  while ((r = ::waitpid(node.pid(), &status, WUNTRACED)) < 0 &&
         errno == EINTR) {
  }
  if (r != node.pid() || !WIFSTOPPED(status))
    throw std::runtime_error("the node did not stop");
}

std::string url_of(uint16_t port) {
  return "ws://127.0.0.1:" + std::to_string(port) + "/ws";
}

std::string url_of(const client::endpoint& e) {
  auto scheme = e.polling ? (e.tls ? "https://" : "http://")
                          : (e.tls ? "wss://" : "ws://");
  return scheme + e.host + ":" + std::to_string(e.port) + e.path;
}

std::string poll_url_of(const client::endpoint& e) {
  auto polling = e;
  polling.polling = true;
  polling.path = "/poll";
  return url_of(polling);
}

// -- behaviors ----------------------------------------------------------------

behavior_actor spawn_counting_slow(caf::actor_system& sys,
                                   std::shared_ptr<std::atomic<int>> runs) {
  return sys.spawn([runs](behavior_actor::pointer self)
                       -> behavior_actor::behavior_type {
    return requests_only([self, runs](invoke_atom, const request_context& ctx,
                                      const codec::value& payload) {
      ++*runs;
      uint64_t ms = 0;
      payload.convert_to(ms);
      self->delayed_send(responder{ctx}.origin(), std::chrono::milliseconds{ms},
                         codec::reply{ctx.id, payload});
    });
  });
}

// -- redirector ---------------------------------------------------------------

redirector::redirector(std::string redirect)
    : redirect_(std::move(redirect)), acceptor_(ioc_) {
  using namespace transport;
  tcp::endpoint at{net::ip::make_address("127.0.0.1"), 0};
  acceptor_.open(at.protocol());
  acceptor_.bind(at);
  acceptor_.listen();
  if (redirect_ == self)
    redirect_ = url();
  accept_next();
  thread_ = std::thread{[this] { ioc_.run(); }};
}

redirector::~redirector() {
  ioc_.stop();
  thread_.join();
}

std::string redirector::url() const {
  return url_of(acceptor_.local_endpoint().port());
}

void redirector::accept_next() {
  using namespace transport;
  acceptor_.async_accept([this](error_code ec, tcp::socket socket) {
    if (ec)
      return;
    // One connection at a time, synchronously: the client sends HELLO
    // right after the handshake.
    try {
      websocket::stream<tcp::socket> ws{std::move(socket)};
      ws.accept();
      beast::flat_buffer hello;
      ws.read(hello);
      ws.binary(true);
      ws.write(net::buffer(codec::encode(
          codec::close{5, "this session lives elsewhere", redirect_})));
      ++served_;
      ws.close(websocket::close_code::normal);
    } catch (const std::exception&) {
      // The client went first: nothing to do.
    }
    accept_next();
  });
}

} // namespace tether::test
