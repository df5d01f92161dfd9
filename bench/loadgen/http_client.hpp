// A keep-alive HTTP/1.1 client for the hub's JSON API, run by the event loop, one request at a time.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "client_socket.hpp"
#include "clock.hpp"
#include "event_loop.hpp"
#include "http_response.hpp"
#include "target.hpp"

namespace loadgen {

class HttpClient final : public EventHandler {
 public:
  HttpClient(EventLoop& loop, const Target& target);

  // Sends a request, connecting first when there is no open connection (servers close idle ones).
  void send(std::string_view method, std::string_view path, std::string_view json_body = {});
  // Closes the connection, so that the server holds nothing open for us; the next send opens another.
  void disconnect() { drop_connection(); }
  // True once the response, or a failure, has come.
  bool done() const { return response_.has_value() || !failure_.empty(); }
  const std::optional<HttpResponse>& response() const { return response_; }
  const std::string& failure() const { return failure_; }
  // When the request started to go out.
  TimePoint sent_at() const { return sent_at_; }

 private:
  void on_ready(std::uint32_t events) override;
  void on_flush() override {}

  void connect();
  void finish_connecting();
  void continue_handshake();
  void write_request();
  void write_pending();
  void read_available();
  void watch_writable(bool writable);
  void drop_connection();
  void fail(std::string failure);

  EventLoop& loop_;
  const Target& target_;
  ClientSocket socket_;
  bool connecting_ = false;
  bool securing_ = false;
  bool watching_writable_ = false;
  bool awaiting_response_ = false;
  std::string out_;
  std::string in_;
  std::optional<HttpResponse> response_;
  std::string failure_;
  TimePoint sent_at_;
};

}  // namespace loadgen
