#include "tether/tests/hostile/raw_peer.hpp"

#include <array>

#include "tether/tests/hostile/reply_reader.hpp"

namespace tether::test {

namespace net = transport::net;
using transport::error_code;

std::string outcome::label() const {
  if (close_code >= 0)
    return "CLOSE " + std::to_string(close_code);
  if (ws_close >= 0)
    return "ws close " + std::to_string(ws_close);
  if (http_status != 0 && http_status != 101)
    return "HTTP " + std::to_string(http_status);
  switch (end) {
  case ending::eof:
    return "eof";
  case ending::reset:
    return "reset";
  case ending::timeout:
    return "timeout";
  }
  return "?";
}

namespace {

/// One raw client: a write loop over its script and a read loop, both
/// ended by the node's close or by the time limit.
class raw_peer : public std::enable_shared_from_this<raw_peer> {
 public:
  /// The socket and the timer share a strand: the test runs the
  /// io_context on two threads.
  raw_peer(net::io_context& ioc, script_ptr script,
           std::function<void(const outcome&)> done)
      : strand_(net::make_strand(ioc)), socket_(strand_), timer_(strand_),
        script_(std::move(script)), done_(std::move(done)), reader_(out_) {}

  void start(transport::tcp::endpoint to, std::chrono::milliseconds limit) {
    started_ = std::chrono::steady_clock::now();
    timer_.expires_after(limit);
    timer_.async_wait([self = shared_from_this()](error_code ec) {
      if (!ec)
        self->end(outcome::ending::timeout);
    });
    socket_.async_connect(to, [self = shared_from_this()](error_code ec) {
      if (ec)
        return self->end(outcome::ending::reset);
      self->read();
      self->next_step();
    });
  }

 private:
  void next_step() {
    if (ended_ || step_ == script_->size())
      return;
    // After the upgrade request, nothing until its answer.
    waiting_ = step_ > 0 && out_.http_status == 0;
    if (!waiting_)
      write();
  }

  void write() {
    if (ended_)
      return;
    net::async_write(socket_, net::buffer((*script_)[step_].bytes),
                     [self = shared_from_this()](error_code ec, size_t) {
                       // A node that closed makes writes fail: the read
                       // loop tells how it ended.
                       if (ec)
                         return;
                       auto& s = (*self->script_)[self->step_];
                       if (++self->written_ == s.times) {
                         self->written_ = 0;
                         ++self->step_;
                       }
                       self->next_step();
                     });
  }

  void read() {
    socket_.async_read_some(net::buffer(chunk_), [self = shared_from_this()](
                                                     error_code ec, size_t n) {
      if (n > 0)
        self->reader_.take(self->chunk_.data(), n);
      if (self->waiting_ && self->out_.http_status != 0)
        self->next_step();
      if (ec == net::error::eof)
        return self->end(outcome::ending::eof);
      if (ec)
        return self->end(outcome::ending::reset);
      self->read();
    });
  }

  void end(outcome::ending how) {
    if (ended_)
      return;
    ended_ = true;
    out_.end = how;
    out_.took = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now() - started_);
    error_code ignored;
    socket_.close(ignored);
    timer_.cancel();
    done_(out_);
  }

  net::strand<net::io_context::executor_type> strand_;
  transport::tcp::socket socket_;
  net::steady_timer timer_;
  script_ptr script_;
  size_t step_ = 0;
  size_t written_ = 0;
  std::function<void(const outcome&)> done_;
  outcome out_;
  reply_reader reader_;
  std::array<char, 4096> chunk_;
  std::chrono::steady_clock::time_point started_;
  /// The next step waits for the answer to the upgrade.
  bool waiting_ = false;
  bool ended_ = false;
};

} // namespace

void run_raw_peer(net::io_context& ioc, transport::tcp::endpoint to,
                  script_ptr script, std::chrono::milliseconds limit,
                  std::function<void(const outcome&)> done) {
  std::make_shared<raw_peer>(ioc, std::move(script), std::move(done))
      ->start(to, limit);
}

} // namespace tether::test
