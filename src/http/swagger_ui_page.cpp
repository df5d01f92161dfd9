// FastAPI's (0.92) Swagger UI page, word for word, but for the OAuth2 redirect: wshub has no OAuth2 flow to
// finish, so, like FastAPI without swagger_ui_oauth2_redirect_url, the page does not name one.
#include "http/swagger_ui_page.hpp"

#include <spdlog/fmt/fmt.h>

namespace wshub {

std::string swagger_ui_page(std::string_view title, std::string_view openapi_url) {
  return fmt::format(R"html(
    <!DOCTYPE html>
    <html>
    <head>
    <link type="text/css" rel="stylesheet" href="https://cdn.jsdelivr.net/npm/swagger-ui-dist@4/swagger-ui.css">
    <link rel="shortcut icon" href="https://fastapi.tiangolo.com/img/favicon.png">
    <title>{} - Swagger UI</title>
    </head>
    <body>
    <div id="swagger-ui">
    </div>
    <script src="https://cdn.jsdelivr.net/npm/swagger-ui-dist@4/swagger-ui-bundle.js"></script>
    <!-- `SwaggerUIBundle` is now available on the page -->
    <script>
    const ui = SwaggerUIBundle({{
        url: '{}',
    "dom_id": "#swagger-ui",
"layout": "BaseLayout",
"deepLinking": true,
"showExtensions": true,
"showCommonExtensions": true,

    presets: [
        SwaggerUIBundle.presets.apis,
        SwaggerUIBundle.SwaggerUIStandalonePreset
        ],
    }})
    </script>
    </body>
    </html>
    )html",
                     title, openapi_url);
}

}  // namespace wshub
