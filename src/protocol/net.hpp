// Short names for the Asio and Beast namespaces, TCP and error codes, without including either library.
#pragma once

#include <boost/system/error_code.hpp>

// Declared, not included: each file includes the Asio or Beast headers of what it uses.
namespace boost::asio::ip {
class tcp;
}
namespace boost::beast::http {}
namespace boost::beast::websocket {}

namespace wshub {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using error_code = boost::system::error_code;

}  // namespace wshub
