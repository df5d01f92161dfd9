// The executor, socket and timer types of a connection, which lives on one io_context for good.
#pragma once

#include <chrono>

#include <boost/asio/basic_stream_socket.hpp>
#include <boost/asio/basic_waitable_timer.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/wait_traits.hpp>

#include "protocol/net.hpp"

namespace wshub {

// A connection lives on one io_context for good (see io_threads). Naming that executor type exactly, instead of
// the type-erased any_io_executor, saves 48 bytes in every socket, timer and pending operation of a connection.
using ConnectionExecutor = asio::io_context::executor_type;
using ConnectionSocket = asio::basic_stream_socket<tcp, ConnectionExecutor>;
using ConnectionTimer = asio::basic_waitable_timer<std::chrono::steady_clock,
                                                   asio::wait_traits<std::chrono::steady_clock>, ConnectionExecutor>;

}  // namespace wshub
