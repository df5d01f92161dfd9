// Checks "Authorization: Bearer <token>" (RFC 6750) against a configured token.
#pragma once

#include <string_view>

namespace wshub {

// True when the Authorization header value is "Bearer " (the scheme in any case) followed by exactly the token.
// Compares in time that depends only on the lengths, never on where the first difference is.
bool bearer_token_matches(std::string_view authorization, std::string_view token);

}  // namespace wshub
