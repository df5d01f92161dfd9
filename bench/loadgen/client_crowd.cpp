// Many WebSocket clients with consecutive ids, opened with a bounded number of handshakes in flight, as a crowd
// of real clients arriving would be.
#include "client_crowd.hpp"

#include <algorithm>

namespace loadgen {

ClientCrowd::ClientCrowd(EventLoop& loop, const Targets& targets, std::size_t size, std::int64_t first_client_id,
                         CheckLog& checks, Compression compression)
    : loop_(loop), first_client_id_(first_client_id), checks_(checks), is_open_(size, false) {
  clients_.reserve(size);
  for (std::size_t index = 0; index < size; ++index) {
    clients_.push_back(std::make_unique<WsConnection>(loop, targets.for_client(index), *this, index, compression));
  }
}

std::size_t ClientCrowd::open_all(std::size_t max_pending, TimePoint deadline) {
  max_pending_ = max_pending;
  start_more();
  const bool settled = loop_.run_until(deadline, [this] { return started_ == clients_.size() && pending_ == 0; });
  if (!settled) {
    checks_.fail("only " + std::to_string(opened_) + " of " + std::to_string(clients_.size()) +
                 " clients had opened when the time ran out");
  }
  return opened_;
}

void ClientCrowd::hand_over_to(WsHandler& handler) {
  for (auto& client : clients_) client->set_handler(handler);
}

void ClientCrowd::abort_all() {
  for (auto& client : clients_) client->abort();
}

std::size_t ClientCrowd::compressed_count() const {
  return std::ranges::count_if(clients_, [](const auto& client) { return client->compressed(); });
}

MessageBytes ClientCrowd::message_bytes() const {
  MessageBytes total;
  for (const auto& client : clients_) total += client->message_bytes();
  return total;
}

void ClientCrowd::start_more() {
  while (pending_ < max_pending_ && started_ < clients_.size()) {
    const std::size_t index = started_++;
    if (const std::error_code error = clients_[index]->open(std::to_string(client_id(index)), index)) {
      checks_.fail("client " + std::to_string(client_id(index)) + ": cannot start connecting: " + error.message());
    } else {
      ++pending_;
    }
  }
}

void ClientCrowd::on_open(WsConnection& client) {
  is_open_[client.index()] = true;
  --pending_;
  ++opened_;
  ++open_now_;
  start_more();
}

void ClientCrowd::on_text(WsConnection& client, std::string_view text, TimePoint) {
  checks_.fail("client " + std::to_string(client_id(client.index())) +
               " got an unexpected message: " + std::string(text.substr(0, 80)));
}

void ClientCrowd::on_closed(WsConnection& client, std::string_view failure) {
  checks_.fail("client " + std::to_string(client_id(client.index())) + ": " + std::string(failure));
  if (is_open_[client.index()]) {
    is_open_[client.index()] = false;
    --open_now_;
  } else {
    --pending_;
    start_more();
  }
}

}  // namespace loadgen
