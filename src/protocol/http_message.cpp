// Builds the responses every layer answers with: wshub's Server header, a JSON body, FastAPI's error shape.
#include "protocol/http_message.hpp"

#include <boost/json/serialize.hpp>

#include "version.hpp"

namespace wshub {

HttpResponse response_with(http::status status, std::string_view content_type, std::string body, unsigned http_version,
                           bool keep_alive) {
  HttpResponse response{status, http_version};
  response.set(http::field::server, std::string("wshub/") + version);
  if (!content_type.empty()) response.set(http::field::content_type, content_type);
  response.keep_alive(keep_alive);
  response.body() = std::move(body);
  response.prepare_payload();
  return response;
}

HttpResponse json_response(http::status status, boost::json::value const& body, unsigned http_version,
                           bool keep_alive) {
  return response_with(status, "application/json", boost::json::serialize(body), http_version, keep_alive);
}

HttpResponse error_response(http::status status, std::string_view detail, unsigned http_version) {
  return json_response(status, {{"detail", detail}}, http_version, false);
}

}  // namespace wshub
