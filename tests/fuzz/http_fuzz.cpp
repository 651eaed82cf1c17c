// The HTTP side of a connection on any bytes: a request (the upgrade, the
// health check, the admin API with its JSON bodies) and, after an upgrade,
// WebSocket frames, all arriving on Beast's in-memory stream and then its
// end. `/api/` goes to the node's real admin actor, set up without a node
// (its requests to the node's other actors fail as they would if those
// were gone), so its routing and JSON parsing run as in the node.

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "caf_support.hpp"
#include "fuzz_support.hpp"
#include "tether/actors/admin/admin_api.hpp"
#include "tether/transport/test_stream.hpp"

using namespace tether;
using namespace tether::transport;

namespace {

/// Counts what the socket delivers after an upgrade.
class counting_handler : public channel_handler {
 public:
  void on_message(std::string, bool) override {}
  void on_too_large() override {}
  void on_drained() override {}
  void on_closed(const std::string&) override { ++closed; }
  int closed = 0;
};

/// API requests handed to the admin actor whose answer is not yet gone.
std::atomic<int> api_pending{0};

/// The admin bridge's answer callback, counted until it is destroyed:
/// it holds the last reference to the session, whose timer and stream
/// must go before the input's io_context does.
struct counted_reply {
  explicit counted_reply(std::function<void(http_response)> f)
      : reply(std::move(f)) {
    ++api_pending;
  }
  ~counted_reply() {
    reply = nullptr;
    --api_pending;
  }
  std::function<void(http_response)> reply;
};

http_api admin_api() {
  auto& sys = fuzz::actor_system();
  admin_setup setup;
  setup.token = "fuzz-admin"; // make_corpus.py
  setup.drain = [] {};
  auto api = admin_bridge(sys, spawn_admin_api(sys, setup));
  return [api](http_request req, std::function<void(http_response)> reply) {
    auto counted = std::make_shared<counted_reply>(std::move(reply));
    api(std::move(req), [counted](http_response r) {
      // Only a dead admin actor fails to answer (one exception in a
      // handler would end the API for the rest of the node's life): then
      // the bridge says so, in exactly these words. The node's services
      // missing here fail with "the session did not answer: ..." instead.
      fuzz::check(r.body.find("\"the node did not answer\"") ==
                      std::string::npos,
                  "the admin actor did not answer");
      counted->reply(std::move(r));
    });
  };
}

const settings& server_settings() {
  static const settings cfg = [] {
    settings x;
    x.max_message = 4096;
    x.api = admin_api();
    return x;
  }();
  return cfg;
}

/// Runs every ready handler until none is and the admin actor answered.
void run(net::io_context& ioc) {
  for (;;) {
    // Read before polling: the answer is posted before its callback goes,
    // so a count of 0 seen here means the poll sees the post.
    bool waiting = api_pending > 0;
    ioc.restart();
    if (ioc.poll() > 0)
      continue;
    if (!waiting)
      return;
    std::this_thread::yield();
  }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  net::io_context ioc;
  test_stream client{ioc};
  std::shared_ptr<counting_handler> handler;
  {
    test_stream server{ioc};
    server.connect(client);
    net::write(client, net::buffer(data, size));
    // The request ends with the input: the server sees its end of stream.
    server.close_remote();
    auto make_handler = [&handler](std::shared_ptr<channel>, uint64_t) {
      fuzz::check(!handler, "two handlers for one connection");
      handler = std::make_shared<counting_handler>();
      return handler;
    };
    std::make_shared<http_session<test_stream>>(
        std::move(server), server_settings(), make_handler, 1, "fuzz")
        ->run();
  }
  // Whatever the server answers, read to its end.
  std::vector<char> buffer(4096);
  bool ended = false;
  // Asio moves the handler it gets: each read gets a fresh one.
  std::function<void()> read_next = [&] {
    client.async_read_some(net::buffer(buffer), [&](error_code ec, size_t) {
      if (ec)
        ended = true;
      else
        read_next();
    });
  };
  read_next();
  run(ioc);
  fuzz::check(ended, "the server did not end the connection");
  fuzz::check(!handler || handler->closed == 1,
              "an upgraded socket did not close its handler once");
  return 0;
}
