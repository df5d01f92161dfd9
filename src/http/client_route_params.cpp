// Reads the client routes' parameters; the last of a repeated query parameter wins, as in Starlette.
#include "http/client_route_params.hpp"

#include <charconv>
#include <map>

#include "http/message_body.hpp"
#include "protocol/percent_encoding.hpp"
#include "protocol/utf8_validator.hpp"

namespace wshub {
namespace {

namespace json = boost::json;

// The decoded query parameters of a target; a name without '=' has the empty value, as parse_qsl keeps it.
std::map<std::string, std::string, std::less<>> query_parameters(std::string_view target) {
  std::map<std::string, std::string, std::less<>> parameters;
  auto const start = target.find('?');
  if (start == std::string_view::npos) return parameters;
  std::string_view query = target.substr(start + 1);
  while (!query.empty()) {
    auto const end = std::min(query.find('&'), query.size());
    auto const pair = query.substr(0, end);
    auto const equals = std::min(pair.find('='), pair.size());
    if (!pair.empty()) {
      parameters[form_decode(pair.substr(0, equals))] = form_decode(pair.substr(std::min(equals + 1, pair.size())));
    }
    query.remove_prefix(std::min(end + 1, query.size()));
  }
  return parameters;
}

json::object not_an_integer(json::array location) {
  return validation_error(std::move(location), "value is not a valid integer", "type_error.integer");
}

// Only the codes an application may choose: 1000, and 3000-4999 (RFC 6455 section 7.4.2).
bool is_application_close_code(int code) {
  return code == static_cast<int>(CloseCode::normal) || (code >= 3000 && code <= 4999);
}

// Sets the close's code from the parameter's text, or adds why it cannot be one.
void read_code(std::string const& text, CloseRequest& close, json::array& errors) {
  int value = 0;
  auto const [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || error != std::errc{} || end != text.data() + text.size()) {
    errors.push_back(not_an_integer({"query", "code"}));
  } else if (!is_application_close_code(value)) {
    errors.push_back(validation_error({"query", "code"}, "close code must be 1000 or 3000-4999", "value_error"));
  } else {
    close.code = static_cast<CloseCode>(value);
  }
}

// Sets the close's reason, or adds why it cannot go in a close frame.
void read_reason(std::string const& text, CloseRequest& close, json::array& errors) {
  if (text.size() > max_close_reason_bytes) {
    errors.push_back(validation_error({"query", "reason"}, "ensure this value has at most 123 bytes",
                                      "value_error.any_str.max_length", {{"limit_value", max_close_reason_bytes}}));
  } else if (!Utf8Validator::is_valid(text)) {
    errors.push_back(validation_error({"query", "reason"}, "value is not valid UTF-8", "value_error.str.utf8"));
  } else {
    close.reason = text;
  }
}

}  // namespace

PathClientId parse_path_client_id(std::string_view segment) {
  if (auto const id = client_id_in_segment(segment)) return {.id = id, .errors = {}};
  return {.id = std::nullopt, .errors = {not_an_integer({"path", "clientId"})}};
}

CloseQuery parse_close_query(std::string_view target) {
  auto const parameters = query_parameters(target);
  CloseRequest close;
  json::array errors;
  if (auto const code = parameters.find("code"); code != parameters.end()) read_code(code->second, close, errors);
  if (auto const reason = parameters.find("reason"); reason != parameters.end()) {
    read_reason(reason->second, close, errors);
  }
  if (!errors.empty()) return {.close = std::nullopt, .errors = std::move(errors)};
  return {.close = std::move(close), .errors = {}};
}

}  // namespace wshub
