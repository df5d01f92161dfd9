// Numbers and id lists as Redis holds them: as text, in hashes, stream fields and script replies.
#pragma once

#include <charconv>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hub/client_id.hpp"

namespace wshub {

// The whole text as one integer, or nothing: Redis hands every number back as text.
template <typename Integer>
std::optional<Integer> whole_integer(std::string_view text) {
  Integer value{};
  auto const result = std::from_chars(text.data(), text.data() + text.size(), value);
  if (result.ec != std::errc{} || result.ptr != text.data() + text.size()) return std::nullopt;
  return value;
}

// "7,-3,42": how a stream entry carries a list of ids. Parts that are not ids are left out.
std::vector<ClientId> id_list_from_text(std::string_view text);
std::string id_list_to_text(std::vector<ClientId> const& ids);

}  // namespace wshub
