// Tests the Swagger UI page: FastAPI's page, pointed at the document.
#include "http/swagger_ui_page.hpp"

#include <gtest/gtest.h>

namespace wshub {
namespace {

TEST(SwaggerUiPage, LoadsSwaggerUiFromTheCdnAndPointsItAtTheDocument) {
  auto const page = swagger_ui_page("wshub", "/openapi.json");
  EXPECT_NE(page.find("<title>wshub - Swagger UI</title>"), std::string::npos);
  EXPECT_NE(page.find(R"(<script src="https://cdn.jsdelivr.net/npm/swagger-ui-dist@4/swagger-ui-bundle.js">)"),
            std::string::npos);
  EXPECT_NE(page.find("url: '/openapi.json',"), std::string::npos);
  EXPECT_NE(page.find("const ui = SwaggerUIBundle({\n"), std::string::npos);
  EXPECT_EQ(page.find("oauth2RedirectUrl"), std::string::npos);
}

}  // namespace
}  // namespace wshub
