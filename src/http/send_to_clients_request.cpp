// Validates a send-to-clients body: the document, then each field, errors in the order the fields are declared.
#include "http/send_to_clients_request.hpp"

#include "http/message_body.hpp"

namespace wshub {

SendToClientsRequest parse_send_to_clients_request(std::string_view body) {
  auto read = read_message_body(body);
  if (!read.body) return {.send = std::nullopt, .errors = std::move(read.errors)};
  auto errors = document_errors(*read.body);
  if (errors.empty()) {
    errors = clients_errors(*read.body, max_send_to_clients);
    for (auto& error : message_errors(*read.body)) errors.push_back(std::move(error));
  }
  if (!errors.empty()) return {.send = std::nullopt, .errors = std::move(errors)};
  return {.send = SendToClients{std::move(read.body->ids), std::move(read.body->text)}, .errors = {}};
}

}  // namespace wshub
