// POST /broadcast-to-all as the hub's API defines it: the request body, and the count in its answer.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "http_response.hpp"

namespace loadgen {

inline constexpr std::string_view kBroadcastPath = "/broadcast-to-all";

// {"message": text}, quotes and backslashes escaped; `text` must hold no control characters.
std::string broadcast_body(std::string_view text);

// N from a 200 {"sent": N}, whatever the spacing; empty for any other answer.
std::optional<std::size_t> sent_count(const HttpResponse& response);

}  // namespace loadgen
