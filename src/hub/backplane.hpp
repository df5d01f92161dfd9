// The seam between the hub and the cluster it belongs to: the only thing the Hub knows about other nodes.
#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "async/completion.hpp"
#include "hub/client_id.hpp"
#include "protocol/close_code.hpp"

namespace wshub {

// When a connection asked for its id, by the wall clock: comparable between nodes (as far as their clocks agree),
// so that of two connections with one id admitted while Redis was out of reach, the later one can be told.
using JoinTime = std::chrono::sys_time<std::chrono::microseconds>;

// What happens when a client connects with an id that is already connected: the newcomer is refused (1008, the
// Python service's behaviour), or it takes the id and the older connection is closed with 4000.
enum class DuplicatePolicy { refuse, replace };

struct LocalClient {
  ClientId id{};
  JoinTime joined_at;
};

// A send to a list of clients: how many were queued the text, and the ids that were not (not connected where the
// cluster said they were, or on a node that did not answer in time), in the order first listed.
struct SendResult {
  std::size_t sent = 0;
  std::vector<ClientId> missing;
};

// Where and since when a client is connected.
struct ClientLocation {
  ClientId id{};
  JoinTime joined_at;
  std::string node;
};

// What a backplane asks of this node's own clients (implemented by Hub). Every call is thread-safe.
class LocalClients {
 public:
  virtual ~LocalClients() = default;
  // Queues a broadcast that came from another node to every client here; returns how many it was queued to.
  virtual std::size_t deliver_local(std::string text) = 0;
  // The clients here, in connection order: what a reconnected backplane registers again.
  virtual std::vector<LocalClient> local_clients() const = 0;
  // Closes the client holding that id here if it is still the connection that joined at that time: the cluster
  // found the id held on another node by an earlier connection, or gave it to a newer one.
  virtual void close_local(LocalClient const& client, CloseCode code, std::string reason) = 0;
  // Queues the text to each listed client here (each id once, the ids distinct), in order with broadcasts.
  virtual SendResult send_local(std::vector<ClientId> const& ids, std::string const& text) = 0;
  // Closes the client with that id here after what is queued for it; false if none is connected here.
  virtual bool disconnect_local(ClientId id, CloseCode code, std::string reason) = 0;
};

// What GET /readyz and /metrics say about the cluster.
struct BackplaneState {
  bool clustered = false;  // false: a single node, nothing else to be connected to
  bool connected = false;
  // Starting: the first attempt to join the cluster has neither succeeded nor failed. A client admitted now could
  // miss broadcasts published before the node reads them, so the node is not ready yet.
  bool joining = false;
  std::string node_id;
  std::string primary = {};  // behind Sentinel: the Redis primary (HOST:PORT) the node connects to; else empty
};

// Every call is thread-safe and returns at once. An answer the backplane knows without asking anyone is returned
// (claim_at_once); one it must wait for goes to a completion handler, which never runs inside the call that started
// the operation, and runs on the handler's associated executor, or on the backplane's own executor for a handler
// that names none (see "Asynchronous work" in docs/architecture.md, and completion.hpp).
class Backplane {
 public:
  using ClaimDone = Completion<void(bool claimed)>;
  using CountDone = Completion<void(std::size_t)>;
  using ListDone = Completion<void(std::vector<ClientId>)>;
  using LeaveDone = Completion<void()>;
  using SendDone = Completion<void(SendResult)>;
  using LocateDone = Completion<void(std::optional<ClientLocation>)>;

  virtual ~Backplane() = default;
  // Called once, before any other call, with the clients whose broadcasts and duplicates the backplane handles,
  // and what a claim of an id held elsewhere does.
  virtual void attach(LocalClients& clients, DuplicatePolicy policy) = 0;
  // Whether this node may hold the client's id, when that is known at once (a single node: always); nullopt when
  // the cluster must be asked with claim().
  virtual std::optional<bool> claim_at_once(LocalClient const&) { return std::nullopt; }
  // done(true) once this node holds the client's id cluster-wide, done(false) if another node holds it and the policy
  // is refuse; with replace, a claim always succeeds and the node that held the id closes its connection.
  virtual void claim(LocalClient const& client, ClaimDone done) = 0;
  virtual void release(ClientId id) = 0;
  // Sends text to the other nodes' clients, in the order of the calls; done(how many of them queued it).
  virtual void publish(std::string const& text, CountDone done) = 0;
  // Sends text to the listed clients, none of them held here (distinct ids): each one's node queues it in order
  // with the broadcasts it carries; done(the result for these ids).
  virtual void send_to(std::vector<ClientId> ids, std::string const& text, SendDone done) = 0;
  // Closes a client held elsewhere after what is queued for it; done(1) if its node closed it, done(0) if none did.
  virtual void disconnect(ClientId id, CloseCode code, std::string reason, CountDone done) = 0;
  // Where a client not held here is connected, if anywhere.
  virtual void locate(ClientId id, LocateDone done) = 0;
  // The cluster's ids in connection order, given this node's own (which stand for the cluster when alone).
  virtual void list_clients(std::vector<ClientId> local, ListDone done) = 0;
  // The node is shutting down and its clients are gone: the other nodes stop waiting for its counts and its ids
  // are free. done() once the cluster knows, with every release made before it.
  virtual void leave_cluster(LeaveDone done) = 0;
  virtual BackplaneState state() const = 0;
};

}  // namespace wshub
