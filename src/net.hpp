// Short names for the Asio and Beast namespaces and the completion token every coroutine here uses.
#pragma once

#include <boost/asio.hpp>
#include <boost/beast.hpp>

namespace wshub {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using error_code = boost::system::error_code;

// Await an operation and get its error code back as a value instead of an exception:
// disconnects are routine here, not exceptional.
inline constexpr auto as_result = asio::as_tuple(asio::use_awaitable);

}  // namespace wshub
