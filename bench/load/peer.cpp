#include "peer.hpp"

namespace tether::bench {

namespace {

/// Acknowledge at least this often when neither the options nor the
/// WELCOME say: half the contract's usual `ack_every`.
constexpr uint64_t default_ack_every = 32;

} // namespace

peer::any_ws peer::make_ws(net::io_context& ioc, const target& where) {
  if (where.tls)
    return any_ws{std::in_place_type<tls_ws>, ioc, *where.tls};
  return any_ws{std::in_place_type<plain_ws>, ioc};
}

peer::peer(net::io_context& ioc, const target& where, const wire& w,
           peer_handler& h, size_t index)
    : ws_(make_ws(ioc, where)), where_(where), wire_(w), handler_(h),
      index_(index), ack_every_(w.ack_every()) {}

void peer::ack_now() {
  if (closed_ || last_seq_ <= acked_)
    return;
  acked_ = last_seq_;
  send(wire_.ack(acked_));
}

tcp::socket& peer::socket() {
  return with_ws(
      [](auto& ws) -> tcp::socket& { return beast::get_lowest_layer(ws); });
}

void peer::start(setup s) {
  setup_ = s;
  auto& sock = socket();
  error_code ec;
  auto address = net::ip::make_address(where_.host, ec);
  if (ec)
    return end("bad host " + where_.host);
  tcp::endpoint server{address, where_.port};
  if ((where_.source_addrs > 1 || where_.source_from != 1) && address.is_v4() &&
      address.is_loopback()) {
    sock.open(tcp::v4(), ec);
    // The port is picked at connect(), per destination, not reserved here.
    sock.set_option(
        net::detail::socket_option::boolean<IPPROTO_IP,
                                            IP_BIND_ADDRESS_NO_PORT>(true),
        ec);
    auto from = net::ip::address_v4(
        (127u << 24) + static_cast<uint32_t>(where_.source_from +
                                             index_ % where_.source_addrs));
    sock.bind({from, 0}, ec);
    if (ec)
      return end("bind: " + ec.message());
  }
  sock.async_connect(server, [self = shared_from_this()](error_code ec) {
    self->on_connect(ec);
  });
}

void peer::on_connect(error_code ec) {
  if (ec)
    return end("connect: " + ec.message());
  socket().set_option(tcp::no_delay(true), ec);
  with_ws([this](auto& ws) {
    ws.read_message_max(64 << 20);
    ws.auto_fragment(false);
    ws.binary(wire_.binary());
    ws.text(!wire_.binary());
  });
  auto* tls = std::get_if<tls_ws>(&ws_);
  if (!tls)
    return upgrade();
  // Verified (--ca-file): the certificate must name the address dialled.
  if (where_.verify_host)
    tls->next_layer().set_verify_callback(
        transport::ssl::host_name_verification(where_.host));
  tls->next_layer().async_handshake(transport::ssl::stream_base::client,
                                    [self = shared_from_this()](error_code ec) {
                                      if (ec)
                                        return self->end("TLS handshake: " +
                                                         ec.message());
                                      self->upgrade();
                                    });
}

void peer::upgrade() {
  auto host = where_.host + ":" + std::to_string(where_.port);
  with_ws([&](auto& ws) {
    ws.async_handshake(host, where_.path,
                       [self = shared_from_this()](error_code ec) {
                         if (ec)
                           return self->end("handshake: " + ec.message());
                         if (auto h = self->wire_.hello(); !h.empty())
                           self->send(std::move(h));
                         self->do_read();
                       });
  });
}

void peer::do_read() {
  if (paused_ || closed_)
    return;
  with_ws([this](auto& ws) {
    ws.async_read(buf_, [self = shared_from_this()](error_code ec, size_t) {
      self->on_read(ec);
    });
  });
}

void peer::on_read(error_code ec) {
  if (ec)
    return end(ec.message());
  auto data = buf_.cdata();
  events_.clear();
  std::string answer;
  bool ok = wire_.parse(static_cast<const char*>(data.data()), data.size(),
                        events_, answer);
  buf_.consume(buf_.size());
  if (!ok)
    return end("unparsable message");
  if (!answer.empty())
    send(std::move(answer));
  for (const auto& e : events_) {
    // Paused: what is left of this message counts as never processed.
    if (closed_ || paused_)
      return;
    handle(e);
  }
  if (!paused_ && !holding_acks_ && last_seq_ > acked_ &&
      last_seq_ >= acked_ + ack_every_) {
    acked_ = last_seq_;
    send(wire_.ack(acked_));
  }
  do_read();
}

void peer::handle(const event& e) {
  if (e.seq != 0) {
    if (e.seq <= last_seq_) {
      ++duplicates_;
      return;
    }
    if (e.seq != last_seq_ + 1)
      ++gaps_;
    last_seq_ = e.seq;
  }
  if (e.kind == event::close) {
    close_code_ = e.number;
    redirect_ = e.text;
    return end("closed by the server, code " + std::to_string(e.number));
  }
  if (!ready_)
    return during_setup(e);
  handler_.on_event(*this, e);
}

void peer::during_setup(const event& e) {
  switch (e.kind) {
  case event::welcome:
    if (ack_every_ == 0)
      ack_every_ = e.number ? e.number : default_ack_every;
    if (setup_ == setup::hello) {
      ready_ = true;
      return handler_.on_ready(*this, true);
    }
    if (setup_ == setup::session_open)
      return send(wire_.session_open(next_id_++));
    return send(wire_.session_resume(next_id_++, token_, last_seq_));
  case event::session:
    token_ = e.text;
    session_id_ = e.session_id;
    ready_ = true;
    return handler_.on_ready(*this, true);
  case event::error:
    return end("setup refused: " + e.text);
  default:
    return;
  }
}

void peer::send(std::string bytes) {
  if (closed_)
    return;
  out_.push_back(std::move(bytes));
  if (!writing_)
    write_next();
}

void peer::write_next() {
  writing_ = true;
  with_ws([this](auto& ws) {
    ws.async_write(net::buffer(out_.front()),
                   [self = shared_from_this()](error_code ec, size_t) {
                     self->writing_ = false;
                     if (ec)
                       return self->end("write: " + ec.message());
                     self->out_.pop_front();
                     if (!self->out_.empty())
                       self->write_next();
                   });
  });
}

void peer::drop() {
  if (closed_)
    return;
  closed_ = true;
  error_code ignored;
  socket().close(ignored);
}

void peer::end(const std::string& why) {
  if (closed_)
    return;
  closed_ = true;
  failure_ = why;
  error_code ignored;
  socket().shutdown(tcp::socket::shutdown_both, ignored);
  socket().close(ignored);
  if (ready_)
    handler_.on_closed(*this);
  else
    handler_.on_ready(*this, false);
}

} // namespace tether::bench
