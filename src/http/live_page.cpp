// Serves the embedded live page under a policy that lets it talk only to the server it came from.
#include "http/live_page.hpp"

#include <algorithm>
#include <cctype>

#include <spdlog/fmt/fmt.h>

#include "embedded/live_page_html.hpp"

namespace wshub {
namespace {

// Letters, digits and the punctuation of names, IPv4, [IPv6] and ports: nothing that could end a CSP directive.
bool is_plain_host(std::string_view host) {
  auto const allowed = [](unsigned char c) {
    return std::isalnum(c) || c == '.' || c == '-' || c == ':' || c == '[' || c == ']';
  };
  return !host.empty() && std::ranges::all_of(host, allowed);
}

}  // namespace

std::string_view live_page() {
  return embedded::live_page_html;
}

std::string live_page_security_policy(std::string_view host) {
  std::string const websockets = is_plain_host(host) ? fmt::format(" ws://{0} wss://{0}", host) : std::string();
  return fmt::format(
      "default-src 'none'; script-src {}; style-src {}; connect-src 'self'{}; base-uri 'none'; form-action 'none'; "
      "frame-ancestors 'none'",
      embedded::live_page_html_script_source, embedded::live_page_html_style_source, websockets);
}

}  // namespace wshub
