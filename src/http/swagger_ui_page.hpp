// The Swagger UI page served at DOCS_URL (/docs), as FastAPI's get_swagger_ui_html writes it.
#pragma once

#include <string>
#include <string_view>

namespace wshub {

// The page's assets come from the jsDelivr CDN in the reader's browser, as FastAPI's do; wshub serves only this
// HTML, which points Swagger UI at openapi_url.
std::string swagger_ui_page(std::string_view title, std::string_view openapi_url);

}  // namespace wshub
