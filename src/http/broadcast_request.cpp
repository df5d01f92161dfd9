// Validates a broadcast body, producing FastAPI's error entries for it.
#include "http/broadcast_request.hpp"

#include "http/message_body.hpp"

namespace wshub {

BroadcastRequest parse_broadcast_request(std::string_view body) {
  auto read = read_message_body(body);
  if (!read.body) return {.message = std::nullopt, .errors = std::move(read.errors)};
  auto errors = document_errors(*read.body);
  if (errors.empty()) errors = message_errors(*read.body);
  if (!errors.empty()) return {.message = std::nullopt, .errors = std::move(errors)};
  return {.message = std::move(read.body->text), .errors = {}};
}

}  // namespace wshub
