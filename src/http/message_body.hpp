// The JSON body of the message routes ({"message": str}, {"clients": [int], "message": str}), read in one pass
// without building the document, and FastAPI's (pydantic 1) shape of a validation error.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include "hub/client_id.hpp"

namespace wshub {

// How deep a body's JSON may nest: about where Python's json module gives up (its recursion limit is 1000).
inline constexpr std::size_t max_json_depth = 1000;

// What a value in the body is, as far as the routes care.
enum class JsonKind { none, null, string, object, array, other };

// The top-level kinds and the two fields, the last of each name winning, as in json.loads.
struct MessageBody {
  JsonKind document = JsonKind::none;
  JsonKind message = JsonKind::none;
  std::string text;
  JsonKind clients = JsonKind::none;
  std::size_t entries = 0;               // how many entries "clients" has
  std::vector<ClientId> ids;             // its 64-bit integer entries, the first max_kept_entries of them
  std::vector<std::size_t> bad_entries;  // the indexes of the others, the first max_kept_entries of them
  static constexpr std::size_t max_kept_entries = 10'001;  // one past the most a route accepts: enough to refuse
};

// The body read, or the 422 entry for JSON that does not parse (where Python's json module would stop).
struct MessageBodyRead {
  std::optional<MessageBody> body;
  boost::json::array errors;
};

// An empty body is read as a body with no document.
MessageBodyRead read_message_body(std::string_view body);

// The 422 entries pydantic 1 gives for each part of a body read; empty when that part is valid.
boost::json::array document_errors(MessageBody const& body);                      // a JSON object is required
boost::json::array message_errors(MessageBody const& body);                       // "message": str
boost::json::array clients_errors(MessageBody const& body, std::size_t max_ids);  // "clients": [int], at most max_ids

// One entry of a 422 {"detail": [...]}: {"loc": [...], "msg": ..., "type": ...} and "ctx" when given.
boost::json::object validation_error(boost::json::array location, std::string_view msg, std::string_view type,
                                     boost::json::object context = {});

// The JSON text of a body: FastAPI hands Python's json.loads the body's bytes, and it skips a UTF-8 BOM.
std::string_view json_text_of(std::string_view body);

}  // namespace wshub
