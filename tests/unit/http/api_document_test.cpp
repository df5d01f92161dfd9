// Tests the OpenAPI document: FastAPI's names for the seed's parts, the version, and the bearer scheme per token.
#include "http/api_document.hpp"

#include <gtest/gtest.h>
#include <boost/json.hpp>

#include "version.hpp"

namespace wshub {
namespace {

namespace json = boost::json;

json::object document(ApiDocumentOptions const& options = {}) {
  return json::parse(api_document(options)).as_object();
}

json::value const* security_of(json::object const& doc, std::string_view path, std::string_view method) {
  return doc.at("paths").at(path).at(method).as_object().if_contains("security");
}

TEST(ApiDocument, KeepsFastApisNamesForTheSeedsParts) {
  auto const doc = document();
  EXPECT_EQ(doc.at("openapi"), "3.0.2");
  auto const& broadcast = doc.at("paths").at("/broadcast-to-all").at("post");
  EXPECT_EQ(broadcast.at("operationId"), "broadcast_to_all_broadcast_to_all_post");
  EXPECT_EQ(broadcast.at("requestBody").at("content").at("application/json").at("schema").at("$ref"),
            "#/components/schemas/BroadcastRequest");
  EXPECT_EQ(doc.at("paths").at("/clients").at("get").at("operationId"), "list_clients_clients_get");
  for (auto const* name : {"BroadcastRequest", "HTTPValidationError", "ValidationError"}) {
    EXPECT_TRUE(doc.at("components").at("schemas").as_object().contains(name)) << name;
  }
}

TEST(ApiDocument, CarriesTheBuildsVersion) {
  EXPECT_EQ(document().at("info").at("version"), version);
}

TEST(ApiDocument, WithoutTokensDeclaresNoSecurity) {
  auto const doc = document();
  EXPECT_FALSE(doc.at("components").as_object().contains("securitySchemes"));
  for (auto const& [path, operations] : doc.at("paths").as_object()) {
    for (auto const& [method, operation] : operations.as_object()) {
      EXPECT_FALSE(operation.as_object().contains("security")) << path << ' ' << method;
    }
  }
}

TEST(ApiDocument, TheApiTokenPutsTheBearerSchemeOnTheApiRoutesOnly) {
  auto const doc = document({.api_token_required = true});
  EXPECT_EQ(doc.at("components").at("securitySchemes"),
            json::parse(R"({"HTTPBearer":{"type":"http","scheme":"bearer"}})"));
  auto const bearer = json::parse(R"([{"HTTPBearer":[]}])");
  ASSERT_NE(security_of(doc, "/clients", "get"), nullptr);
  EXPECT_EQ(*security_of(doc, "/clients", "get"), bearer);
  ASSERT_NE(security_of(doc, "/broadcast-to-all", "post"), nullptr);
  EXPECT_EQ(*security_of(doc, "/broadcast-to-all", "post"), bearer);
  EXPECT_EQ(security_of(doc, "/metrics", "get"), nullptr);
  EXPECT_EQ(security_of(doc, "/healthz", "get"), nullptr);
}

TEST(ApiDocument, TheMetricsTokenPutsItOnMetricsOnly) {
  auto const doc = document({.metrics_token_required = true});
  EXPECT_NE(security_of(doc, "/metrics", "get"), nullptr);
  EXPECT_EQ(security_of(doc, "/clients", "get"), nullptr);
  EXPECT_EQ(security_of(doc, "/readyz", "get"), nullptr);
}

TEST(ApiDocument, BothTokensShareOneScheme) {
  auto const doc = document({.api_token_required = true, .metrics_token_required = true});
  EXPECT_EQ(doc.at("components").at("securitySchemes").as_object().size(), 1U);
  EXPECT_NE(security_of(doc, "/metrics", "get"), nullptr);
  EXPECT_NE(security_of(doc, "/clients", "get"), nullptr);
}

}  // namespace
}  // namespace wshub
