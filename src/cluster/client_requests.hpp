// Sends and disconnects for clients held by other nodes: written to the broadcast stream, one entry per node that
// holds some of the ids, carried out by those nodes in order with broadcasts, and answered back through the
// origin's count stream until CLUSTER_TIMEOUT_MS.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>

#include "async/ticked_timer.hpp"
#include "cluster/cluster_keys.hpp"
#include "cluster/cluster_options.hpp"
#include "cluster/redis_link.hpp"
#include "cluster/redis_script.hpp"
#include "cluster/stream_reader.hpp"
#include "hub/backplane.hpp"
#include "ops/metrics.hpp"

namespace wshub {

// Runs on the backplane's executor, in a later turn than the Backplane call: answers go out with complete_later.
// Cut off from Redis, no other node can be reached: every id asked for is missing.
class ClientRequests {
 public:
  ClientRequests(asio::any_io_executor executor, ScriptingLink& commands, ClusterKeys const& keys,
                 ClusterOptions const& options, Metrics& metrics);

  void attach(LocalClients& clients) { clients_ = &clients; }
  void send_to(std::vector<ClientId> ids, std::string text, Backplane::SendDone done);
  void disconnect(ClientId id, CloseCode code, std::string reason, Backplane::CountDone done);
  // A request entry of the broadcast stream: carried out here, and answered, if it names this node.
  void on_request_entry(StreamEntry const& entry);
  // A node's answer to one of this node's requests, from this node's count stream.
  void on_answer(StreamEntry const& entry);

 private:
  using Clock = std::chrono::steady_clock;
  // A node's part of a request: the ids it was asked about, and once it answered, which it reached.
  struct NodePart {
    std::vector<ClientId> ids;
    std::optional<std::size_t> reached;
    std::vector<ClientId> missing;
  };
  struct Pending {
    Backplane::SendDone done;
    Clock::time_point deadline;
    std::vector<ClientId> ids;              // as asked, for the order of the missing ones
    bool routed = false;                    // the script's reply has named the nodes
    std::map<std::string, NodePart> parts;  // answers may come before the reply that names the nodes
  };
  using PendingMap = std::map<std::uint64_t, Pending>;

  void request(std::string_view op, std::vector<ClientId> ids, std::string text, CloseCode code,
               Backplane::SendDone done);
  void on_routed(std::uint64_t sequence, RedisReply const& reply);
  void answer_back(StreamEntry const& entry, std::string const& origin, SendResult const& result);
  void finish_if_answered(PendingMap::iterator pending);
  void arm_deadline();
  void on_deadline();
  void finish(PendingMap::iterator pending);

  asio::any_io_executor executor_;
  ScriptingLink& commands_;
  ClusterKeys const& keys_;
  ClusterOptions const& options_;
  Metrics& metrics_;
  LocalClients* clients_ = nullptr;
  RedisScript const route_script_;
  TickedTimer<asio::steady_timer> deadline_timer_;  // the oldest pending request's deadline
  bool deadline_armed_ = false;
  std::uint64_t next_sequence_ = 0;
  PendingMap pending_;  // by sequence, which is also the order of their deadlines
};

}  // namespace wshub
