// The names of a cluster's keys in Redis, each prefixed with the cluster's name so that clusters can share a Redis.
#pragma once

#include <string>
#include <string_view>

namespace wshub {

struct ClusterKeys {
  explicit ClusterKeys(std::string const& cluster_name)
      : prefix(cluster_name + ":"),
        owners(prefix + "owners"),
        order(prefix + "order"),
        joined(prefix + "joined"),
        nodes(prefix + "nodes"),
        node_prefix(prefix + "node:"),
        broadcasts(prefix + "broadcasts") {}

  // A node's own stream, where the others' counts of its broadcasts arrive.
  std::string counts_of(std::string_view node_id) const { return prefix + "counts:" + std::string(node_id); }
  // A node's liveness key: while it exists, the node is alive and its ids are held.
  std::string liveness_of(std::string_view node_id) const { return node_prefix + std::string(node_id); }

  std::string const prefix;
  std::string const owners;  // id -> the node holding it
  std::string const order;   // ids scored by their join time: the cluster's connection order
  std::string const joined;  // id -> its join time
  std::string const nodes;   // the nodes that have said they are live
  std::string const node_prefix;
  std::string const broadcasts;  // the stream every node reads
};

}  // namespace wshub
