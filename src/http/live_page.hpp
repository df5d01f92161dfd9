// The live page served at /: src/web/index.html, compiled in, and the Content-Security-Policy it is served under.
#pragma once

#include <string>
#include <string_view>

namespace wshub {

// The page's HTML, one self-contained file (its script and style inline, nothing loaded from elsewhere).
std::string_view live_page();

// Allows the page's own inline script and style (by hash), requests to this server and WebSockets to it, and
// nothing else. host is the request's Host header; one that is not a plain host[:port] is left out (the
// browser's 'self' still covers ws: and wss: where it implements CSP level 3).
std::string live_page_security_policy(std::string_view host);

}  // namespace wshub
