#pragma once

#include <chrono>
#include <deque>
#include <memory>
#include <string>

#include "tether/clients/cpp/http_conn.hpp"
#include "tether/transport/client_link.hpp"

namespace tether::client {

/// A client's way to a node by long polling (`http://HOST:PORT/poll`, or
/// `https://`): the same batches of frames as over a WebSocket, in HTTP
/// requests. The first message (HELLO) opens the poll connection with
/// `POST /poll`; later ones go out with `POST /poll/CONN`, one at a time,
/// those queued meanwhile together; a `GET /poll/CONN` is always waiting
/// for what the node sends. Two HTTP connections, kept alive: one for the
/// POSTs, one for the GETs.
class poll_link : public transport::client_link,
                  public std::enable_shared_from_this<poll_link> {
 public:
  /// How long a GET asks the node to wait (the contract's default).
  static constexpr std::chrono::milliseconds wait{25000};

  /// `tls` null: plain HTTP; else checked as `verify_host` says.
  poll_link(net::io_context& ioc, std::shared_ptr<transport::ssl::context> tls,
            bool verify_host);

  transport::error_code connect(const std::string& host, uint16_t port,
                                const std::string& path,
                                std::chrono::milliseconds timeout) override;
  std::string refused_certificate() const override;
  void start(callbacks cb) override;
  void send(transport::shared_bytes message, bool binary = true) override;
  /// Sends CLOSE (code 0) after what is queued, then ends.
  void close() override;
  void abort() override;

 private:
  void do_post();
  void on_posted(transport::error_code ec, http_conn::response res);
  void do_get();
  void on_got(transport::error_code ec, http_conn::response res);
  void finish(const std::string& reason);
  http_conn::request make_request(http::verb method,
                                  const std::string& target) const;

  http_conn::strand strand_;
  std::shared_ptr<transport::ssl::context> tls_;
  bool verify_host_;
  std::string path_;
  std::chrono::milliseconds timeout_{5000};
  std::shared_ptr<http_conn> posts_;
  std::shared_ptr<http_conn> gets_;
  /// WELCOME's conn: the poll connection's id (empty before it).
  std::string conn_;
  std::deque<transport::shared_bytes> queue_;
  bool posting_ = false;
  /// Why a POST failed after WELCOME; set, nothing more is posted.
  std::string broken_;
  callbacks cb_;
  bool started_ = false;
  bool closing_ = false;
  bool finished_ = false;
};

} // namespace tether::client
