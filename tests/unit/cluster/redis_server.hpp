// A throw-away redis-server (Debian's) on a free port with persistence off, for the tests of the Redis code.
#pragma once

#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "protocol/net.hpp"

namespace wshub::testing {

class RedisServer {
 public:
  // extra_args: more of redis-server's settings, such as {"--requirepass", "secret"}.
  explicit RedisServer(std::vector<std::string> const& extra_args = {}) : port_(free_port()) {
    std::string const port = std::to_string(port_);
    std::vector<std::string> args{"redis-server", "--port", port,         "--bind", "127.0.0.1", "--save", "",
                                  "--appendonly", "no",     "--loglevel", "warning"};
    args.insert(args.end(), extra_args.begin(), extra_args.end());
    std::vector<char*> argv;
    for (auto& arg : args) argv.push_back(arg.data());
    argv.push_back(nullptr);
    if (posix_spawnp(&pid_, "redis-server", nullptr, nullptr, argv.data(), environ) != 0) {
      throw std::runtime_error("cannot start redis-server");
    }
    wait_until_listening();
  }
  ~RedisServer() {
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
  }
  RedisServer(RedisServer const&) = delete;
  RedisServer& operator=(RedisServer const&) = delete;

  std::uint16_t port() const { return port_; }
  // SIGSTOP: the server keeps its connections (and completes new ones from its backlog) but answers nothing.
  void pause() const { ::kill(pid_, SIGSTOP); }
  void resume() const { ::kill(pid_, SIGCONT); }

 private:
  static std::uint16_t free_port() {
    asio::io_context context;
    tcp::acceptor acceptor(context, {asio::ip::make_address("127.0.0.1"), 0});
    return acceptor.local_endpoint().port();
  }

  // redis-server offers no readiness signal but its port: poll it (a few milliseconds at start-up).
  void wait_until_listening() const {
    auto const deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    asio::io_context context;
    while (std::chrono::steady_clock::now() < deadline) {
      tcp::socket socket(context);
      error_code error;
      socket.connect({asio::ip::make_address("127.0.0.1"), port_}, error);
      if (!error) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    throw std::runtime_error("redis-server did not start listening");
  }

  std::uint16_t port_;
  pid_t pid_ = 0;
};

}  // namespace wshub::testing
