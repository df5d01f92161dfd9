// Comma-separated id lists, the form a stream entry's field can hold.
#include "cluster/redis_text.hpp"

namespace wshub {

std::vector<ClientId> id_list_from_text(std::string_view text) {
  std::vector<ClientId> ids;
  while (!text.empty()) {
    auto const comma = std::min(text.find(','), text.size());
    if (auto const id = whole_integer<ClientId>(text.substr(0, comma))) ids.push_back(*id);
    text.remove_prefix(std::min(comma + 1, text.size()));
  }
  return ids;
}

std::string id_list_to_text(std::vector<ClientId> const& ids) {
  std::string text;
  for (auto const id : ids) {
    if (!text.empty()) text.push_back(',');
    text += std::to_string(id);
  }
  return text;
}

}  // namespace wshub
