// The HTTP messages wshub reads and writes, and the JSON responses every layer answers with.
#pragma once

#include <string>
#include <string_view>

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/status.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/json/value.hpp>

#include "protocol/net.hpp"

namespace wshub {

using HttpRequest = http::request<http::string_body>;
using HttpResponse = http::response<http::string_body>;

// A response with wshub's Server header, the content type (none if empty) and the body's length set.
HttpResponse response_with(http::status status, std::string_view content_type, std::string body, unsigned http_version,
                           bool keep_alive);

HttpResponse json_response(http::status status, boost::json::value const& body, unsigned http_version, bool keep_alive);

// {"detail": "..."} with the given status, FastAPI's error shape, on a connection that closes after it: for requests
// that could not be read or answered (400, 403, 413, 431, 501).
HttpResponse error_response(http::status status, std::string_view detail, unsigned http_version);

}  // namespace wshub
