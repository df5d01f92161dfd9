// Decoding percent-encoded text: a path segment (RFC 3986) and a query string's names and values (form encoding).
#pragma once

#include <string>
#include <string_view>

namespace wshub {

// Decodes %XX escapes as Starlette does for a path; a malformed escape is kept as it is.
std::string percent_decode(std::string_view text);

// Decodes a query string's name or value as Python's urllib.parse.parse_qsl does: '+' is a space, then %XX.
std::string form_decode(std::string_view text);

}  // namespace wshub
