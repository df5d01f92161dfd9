// permessage-deflate as a client negotiates it (RFC 7692 section 7): Chromium's offer, and what the server's answer
// in the 101 obliges each side to do.
#include "deflate_agreement.hpp"

#include <algorithm>
#include <cctype>
#include <vector>

namespace loadgen {
namespace {

constexpr std::string_view kExtensionsHeader = "sec-websocket-extensions";
constexpr std::string_view kWhitespace = " \t";
// zlib turns a raw deflate window of 8 bits into 9, which an inflater limited to 8 may not read.
constexpr int kSmallestWindowZlibProduces = 9;

std::string_view trim(std::string_view text) {
  const std::size_t begin = text.find_first_not_of(kWhitespace);
  if (begin == std::string_view::npos) return {};
  return text.substr(begin, text.find_last_not_of(kWhitespace) - begin + 1);
}

bool equals_ignoring_case(std::string_view a, std::string_view b) {
  return std::ranges::equal(a, b, [](char x, char y) { return std::tolower(x) == std::tolower(y); });
}

std::vector<std::string_view> split(std::string_view text, char separator) {
  std::vector<std::string_view> pieces;
  for (std::size_t start = 0;;) {
    const std::size_t end = text.find(separator, start);
    pieces.push_back(trim(text.substr(start, end - start)));
    if (end == std::string_view::npos) return pieces;
    start = end + 1;
  }
}

// A window size: a value of 8 to 15, quoted or not (RFC 7692 section 7.1 allows a quoted-string).
std::optional<int> window_bits(std::string_view value) {
  if (value.size() >= 2 && value.front() == '"' && value.back() == '"') value = value.substr(1, value.size() - 2);
  if (value.size() == 1 && value[0] >= '8' && value[0] <= '9') return value[0] - '0';
  if (value.size() == 2 && value[0] == '1' && value[1] >= '0' && value[1] <= '5') return 10 + value[1] - '0';
  return std::nullopt;
}

// Applies one parameter of the answer; returns what is wrong with it, or an empty string.
std::string apply_parameter(std::string_view parameter, DeflateAgreement& agreement, std::vector<std::string>& seen) {
  const std::size_t equals = parameter.find('=');
  const std::string name(trim(parameter.substr(0, equals)));
  const bool has_value = equals != std::string_view::npos;
  const std::string_view value = has_value ? trim(parameter.substr(equals + 1)) : std::string_view{};
  if (std::ranges::find(seen, name) != seen.end()) return "server repeated " + name;
  seen.push_back(name);
  if (name == "server_no_context_takeover" || name == "client_no_context_takeover") {
    if (has_value) return "server gave " + name + " a value";
    (name == "server_no_context_takeover" ? agreement.server_no_context_takeover
                                          : agreement.client_no_context_takeover) = true;
    return "";
  }
  if (name == "server_max_window_bits" || name == "client_max_window_bits") {
    const std::optional<int> bits = window_bits(value);
    if (!bits) return "server answered " + std::string(parameter) + ", not a window of 8 to 15 bits";
    (name == "server_max_window_bits" ? agreement.server_max_window_bits : agreement.client_max_window_bits) = *bits;
    return "";
  }
  return "server answered an unknown permessage-deflate parameter: " + std::string(parameter);
}

}  // namespace

std::string extensions_header(std::string_view response_head) {
  std::string joined;
  for (std::string_view line : split(response_head, '\n')) {
    if (line.ends_with('\r')) line.remove_suffix(1);
    const std::size_t colon = line.find(':');
    if (colon == std::string_view::npos || !equals_ignoring_case(line.substr(0, colon), kExtensionsHeader)) continue;
    if (!joined.empty()) joined += ", ";
    joined += trim(line.substr(colon + 1));
  }
  return joined;
}

ExtensionAnswer read_extension_answer(std::string_view extensions, bool offered) {
  if (trim(extensions).empty()) return {};
  const std::vector<std::string_view> accepted = split(extensions, ',');
  if (!offered || accepted.size() != 1) {
    return {.agreement = std::nullopt,
            .error = "server accepted extensions we did not offer: " + std::string(extensions)};
  }
  const std::vector<std::string_view> parameters = split(accepted.front(), ';');
  if (parameters.front() != "permessage-deflate") {
    return {.agreement = std::nullopt,
            .error = "server accepted an extension we did not offer: " + std::string(extensions)};
  }
  DeflateAgreement agreement;
  std::vector<std::string> seen;
  for (std::size_t i = 1; i < parameters.size(); ++i) {
    if (std::string error = apply_parameter(parameters[i], agreement, seen); !error.empty()) {
      return {.agreement = std::nullopt, .error = std::move(error)};
    }
  }
  if (agreement.client_max_window_bits < kSmallestWindowZlibProduces) {
    return {.agreement = std::nullopt,
            .error = "server asked for client_max_window_bits=8, which zlib cannot produce for a raw stream"};
  }
  return {.agreement = agreement, .error = ""};
}

}  // namespace loadgen
