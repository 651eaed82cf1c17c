#include "tether/transport/poll_endpoint.hpp"

#include <charconv>
#include <strings.h>

#include "tether/transport/poll_registry.hpp"

namespace tether::transport {

namespace {

constexpr const char* gone = "no such poll connection (it ended, or never "
                             "was on this node)\n";

/// The connection id of `/poll/CONN`; empty for `/poll` itself.
std::string conn_of(const std::string& path) {
  return path.size() > 6 ? path.substr(6) : std::string{};
}

/// What a GET's `wait_ms` asks for; 0 and `error` set when it is wrong.
std::chrono::milliseconds wait_of(const std::string& target,
                                  std::string& error) {
  uint64_t ms = default_poll_wait_ms;
  auto query = target.find('?');
  for (auto at = query; at != std::string::npos;) {
    auto end = target.find('&', at + 1);
    auto pair = target.substr(
        at + 1, end == std::string::npos ? std::string::npos : end - at - 1);
    at = end;
    if (pair.rfind("wait_ms=", 0) != 0)
      continue;
    auto value = pair.substr(8);
    auto [ptr, ec] =
        std::from_chars(value.data(), value.data() + value.size(), ms);
    if (ec != std::errc{} || ptr != value.data() + value.size() ||
        ms > max_poll_wait_ms) {
      error = "wait_ms must be a number of milliseconds up to " +
              std::to_string(max_poll_wait_ms) + "\n";
      return {};
    }
  }
  return std::chrono::milliseconds{ms};
}

bool is_msgpack(const std::string& content_type) {
  static const std::string expected = "application/msgpack";
  return content_type.size() >= expected.size() &&
         ::strncasecmp(content_type.data(), expected.data(), expected.size()) ==
             0 &&
         (content_type.size() == expected.size() ||
          content_type[expected.size()] == ';');
}

void open_connection(const settings& cfg, poll_request req,
                     const poll_origin& from, poll_reply reply) {
  if (cfg.draining->load(std::memory_order_relaxed))
    return reply({503, "draining: connect to another node\n"});
  // A poll connection counts as one while it lives, beside the HTTP
  // connections that carry its requests.
  admission::ticket ticket;
  if (cfg.admits) {
    ticket = cfg.admits->enter(from.remote.substr(0, from.remote.rfind(':')));
    if (ticket.verdict() == admitted::too_many_from_address)
      return reply({429, "too many connections from your address\n"});
    if (ticket.verdict() == admitted::node_full) {
      cfg.admits->count_full_poll();
      return reply(
          {503, "the node is full: try again later or another node\n"});
    }
  }
  auto c = std::make_shared<poll_channel>(from.executor, cfg, from.remote,
                                          poll_registry::make_token(),
                                          std::move(ticket));
  cfg.polls->add(c);
  // WELCOME (or CLOSE) comes within the handshake timeout; this bound is
  // a backstop.
  auto wait = cfg.upgrade_timeout + cfg.close_timeout;
  c->open(from.make_handler, from.number, std::move(req.body), wait,
          [reply = std::move(reply)](poll_answer a) {
            if (a.status == 204)
              a = {503, "the node did not answer in time\n"};
            reply(std::move(a));
          });
}

} // namespace

bool is_poll_path(const std::string& path) {
  return path == "/poll" || path.rfind("/poll/", 0) == 0;
}

void serve_poll(const settings& cfg, poll_request req, const poll_origin& from,
                poll_reply reply) {
  auto path = req.target.substr(0, req.target.find('?'));
  auto conn = conn_of(path);
  bool post = req.method == "POST";
  if (post && !is_msgpack(req.content_type))
    return reply({415, "frames travel as application/msgpack\n"});
  if (conn.empty()) {
    if (!post)
      return reply({405, "POST /poll opens a poll connection\n"});
    return open_connection(cfg, std::move(req), from, std::move(reply));
  }
  auto c = cfg.polls->find(conn);
  if (!c)
    return reply({404, gone});
  if (post)
    return c->deliver(std::move(req.body), std::move(reply));
  if (req.method != "GET")
    return reply({405, "GET or POST /poll/CONN\n"});
  std::string error;
  auto wait = wait_of(req.target, error);
  if (!error.empty())
    return reply({400, std::move(error)});
  c->take(wait, std::move(reply));
}

void poll_too_large(const settings& cfg, const std::string& path) {
  if (!is_poll_path(path))
    return;
  if (auto c = cfg.polls->find(conn_of(path)))
    c->too_large();
}

} // namespace tether::transport
