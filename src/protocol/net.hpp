// Short names for the Asio and Beast namespaces and the completion token every coroutine here uses.
#pragma once

#include <chrono>

#include <boost/asio.hpp>
#include <boost/beast.hpp>

namespace wshub {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using error_code = boost::system::error_code;

// A connection lives on one io_context for good (see io_threads). Naming that executor type exactly, instead of
// the type-erased any_io_executor, saves 48 bytes in every socket, timer and pending operation of a connection.
using ConnectionExecutor = asio::io_context::executor_type;
using ConnectionSocket = asio::basic_stream_socket<tcp, ConnectionExecutor>;
using ConnectionTimer = asio::basic_waitable_timer<std::chrono::steady_clock,
                                                   asio::wait_traits<std::chrono::steady_clock>, ConnectionExecutor>;

// Await an operation and get its error code back as a value instead of an exception:
// disconnects are routine here, not exceptional.
inline constexpr auto as_result = asio::as_tuple(asio::use_awaitable);

}  // namespace wshub
