// Reads HTTP/1.1 responses framed by Content-Length, which is how the hubs' JSON API answers.
#pragma once

#include <optional>
#include <string>

namespace loadgen {

struct HttpResponse {
  int status = 0;
  std::string body;
};

// Takes one whole response off the front of `buffer`; nullopt while it is incomplete. Throws std::runtime_error for
// a response it cannot frame (no Content-Length).
std::optional<HttpResponse> take_http_response(std::string& buffer);

}  // namespace loadgen
