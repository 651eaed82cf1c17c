#include "tether/actors/bridge.hpp"

#include <caf/send.hpp>

namespace tether {

bridge::bridge(std::shared_ptr<transport::channel> channel, std::string conn_id,
               size_t report_every, std::shared_ptr<traffic> counts)
    : channel_(std::move(channel)), counts_(std::move(counts)),
      conn_id_(std::move(conn_id)),
      report_every_(report_every > 0 ? report_every : 1) {}

void bridge::send(transport::shared_bytes message, uint64_t frames) {
  handed_.fetch_add(message->size(), std::memory_order_relaxed);
  if (counts_) {
    counts_->messages_out.add();
    counts_->frames_out.add(frames);
  }
  channel_->send(std::move(message));
}

void bridge::close(transport::shared_bytes last, uint64_t frames) {
  if (last)
    handed_.fetch_add(last->size(), std::memory_order_relaxed);
  if (counts_ && last) {
    counts_->messages_out.add();
    counts_->frames_out.add(frames);
  }
  channel_->close(std::move(last));
}

uint64_t bridge::backlog() const {
  auto handed = handed_.load(std::memory_order_relaxed);
  auto retired = channel_->retired_bytes();
  // Another writer's bytes may be retired before its count lands here.
  return handed > retired ? handed - retired : 0;
}

void bridge::message_handled() {
  if (counts_)
    counts_->messages_in.add();
  if (++unreported_ < report_every_)
    return;
  channel_->messages_handled(unreported_);
  unreported_ = 0;
}

void socket_events::on_message(std::string bytes, bool binary) {
  caf::anon_send(actor_, inbound_message{std::move(bytes), binary});
}

void socket_events::on_too_large() {
  caf::anon_send(actor_, too_big_atom::value);
}

void socket_events::on_drained() {
  caf::anon_send(actor_, drained_atom::value);
}

void socket_events::on_polled() {
  caf::anon_send(actor_, polled_atom::value);
}

void socket_events::on_closed(const std::string& reason) {
  caf::anon_send(actor_, closed_atom::value, reason);
  actor_ = nullptr;
}

void bridge_table::add(const std::shared_ptr<bridge>& b) {
  std::lock_guard<std::mutex> guard{mutex_};
  bridges_[b->conn_id()] = b;
}

void bridge_table::remove(const std::string& conn_id) {
  std::lock_guard<std::mutex> guard{mutex_};
  bridges_.erase(conn_id);
}

std::shared_ptr<bridge> bridge_table::find(const std::string& conn_id) const {
  std::lock_guard<std::mutex> guard{mutex_};
  auto i = bridges_.find(conn_id);
  return i == bridges_.end() ? nullptr : i->second.lock();
}

} // namespace tether
