// The HTTP phase's stream as Beast reads and writes it: a connection's transport, plain or TLS, with a deadline
// for what is asked of it, as beast::basic_stream has; handed over as a transport when the connection upgrades.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <utility>

#include <boost/asio/append.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/compose.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core/error.hpp>

#include "protocol/net.hpp"
#include "server/connection_transport.hpp"
#include "server/connection_types.hpp"

namespace wshub {

class HttpStream {
 public:
  using executor_type = ConnectionExecutor;

  explicit HttpStream(ConnectionTransport transport);
  ~HttpStream();
  HttpStream(HttpStream const&) = delete;
  HttpStream& operator=(HttpStream const&) = delete;

  executor_type get_executor() noexcept { return transport_.socket().get_executor(); }
  ConnectionTransport& transport() { return transport_; }
  ConnectionSocket& socket() { return transport_.socket(); }

  // An operation still waiting at the deadline ends with beast::error::timeout, as does any started after it.
  void expires_after(std::chrono::steady_clock::duration timeout);
  void expires_never();
  // Ends what waits with operation_aborted.
  void cancel();
  ConnectionTransport release_transport();

  template <typename MutableBufferSequence, typename Token>
  auto async_read_some(MutableBufferSequence const& buffers, Token&& token) {
    return start(
        [this, buffers](error_code& error) {
          return transport_.read_some(asio::buffer(*asio::buffer_sequence_begin(buffers)), error);
        },
        ConnectionTransport::Wait::wait_read, std::forward<Token>(token));
  }

  template <typename ConstBufferSequence, typename Token>
  auto async_write_some(ConstBufferSequence const& buffers, Token&& token) {
    return start([this, buffers](error_code& error) { return transport_.write_some(buffers, error); },
                 ConnectionTransport::Wait::wait_write, std::forward<Token>(token));
  }

  // Completes once the TLS handshake has (at once on a plain connection).
  template <typename Token>
  auto async_handshake(Token&& token) {
    return start(
        [this](error_code& error) {
          transport_.handshake(error);
          return std::size_t{0};
        },
        ConnectionTransport::Wait::wait_read, std::forward<Token>(token));
  }

 private:
  // What the deadline's timer shares with its completion, which may run after this stream is gone.
  struct Deadline {
    explicit Deadline(executor_type const& executor) : timer(executor) {}
    ConnectionTimer timer;
    ConnectionSocket* socket = nullptr;  // cancelled at the deadline; null once the stream is gone
    std::uint64_t tick = 0;
    bool expired = false;
  };

  // Tries the step; when it would block, waits as it says and tries again. A completion is never called from
  // inside the initiating call (it is posted), as Asio's own sockets do.
  template <typename Step>
  struct Operation {
    enum class State { starting, waiting, completing };
    HttpStream& stream;
    Step step;
    ConnectionTransport::Wait wait;
    State state = State::starting;

    template <typename Self>
    void operator()(Self& self, error_code error = {}, std::size_t bytes = 0) {
      if (state == State::completing) return self.complete(error, bytes);
      if (state == State::waiting && error) return self.complete(stream.why(error), 0);
      if (stream.deadline_->expired) return finish(self, beast::error::timeout, 0);
      bytes = step(error);
      if (error == asio::error::would_block) {
        state = State::waiting;
        return stream.transport_.async_wait(wait, std::move(self));
      }
      finish(self, error, bytes);
    }

    template <typename Self>
    void finish(Self& self, error_code error, std::size_t bytes) {
      if (state == State::waiting) return self.complete(error, bytes);
      state = State::completing;
      asio::post(stream.get_executor(), asio::append(std::move(self), error, bytes));
    }
  };

  template <typename Step, typename Token>
  auto start(Step step, ConnectionTransport::Wait wait, Token&& token) {
    return asio::async_compose<Token, void(error_code, std::size_t)>(
        Operation<Step>{.stream = *this, .step = std::move(step), .wait = wait}, token, transport_.socket());
  }

  // A wait cut short by the deadline is a timeout; by cancel(), an abort.
  error_code why(error_code error) const {
    if (error == asio::error::operation_aborted && deadline_->expired) return beast::error::timeout;
    return error;
  }

  ConnectionTransport transport_;
  std::shared_ptr<Deadline> deadline_;
};

}  // namespace wshub
