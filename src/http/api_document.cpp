// Completes the embedded OpenAPI document (src/openapi.json) with the build's version and the bearer scheme.
//
// Which routes the document lists follows FastAPI's rule: every route of the application is listed (the seed's
// two, the four that reach one client, /healthz, /readyz, /metrics, and the live page /), while the pages FastAPI
// adds by itself are not: the document's own /openapi.json and the Swagger UI page (/docs or DOCS_URL). The
// WebSocket route /ws/{client_id} has no place among OpenAPI 3 operations; info.description describes it with its
// close codes.
#include "http/api_document.hpp"

#include <array>
#include <string_view>

#include <boost/json.hpp>

#include "embedded/openapi_json.hpp"
#include "protocol/routes.hpp"
#include "version.hpp"

namespace wshub {
namespace {

namespace json = boost::json;

// The name FastAPI gives the scheme of its HTTPBearer dependency, so generated clients see what they know.
constexpr std::string_view bearer_scheme = "HTTPBearer";

struct GuardedOperation {
  std::string_view path;
  std::string_view method;
  bool metrics_route;  // guarded by METRICS_TOKEN rather than API_TOKEN
};

// The routes under routes::client_prefix are named by their templates, as the document names them.
constexpr std::array guarded_operations{
    GuardedOperation{routes::clients, "get", false},
    GuardedOperation{routes::broadcast_to_all, "post", false},
    GuardedOperation{routes::send_to_clients, "post", false},
    GuardedOperation{"/clients/{clientId}", "get", false},
    GuardedOperation{"/clients/{clientId}", "delete", false},
    GuardedOperation{"/clients/{clientId}/send", "post", false},
    GuardedOperation{routes::metrics, "get", true},
};

void require_bearer(json::object& document, GuardedOperation const& operation) {
  auto& entry = document.at("paths").at(operation.path).at(operation.method).as_object();
  entry["security"] = json::array{json::object{{bearer_scheme, json::array{}}}};
  auto& schemes = document.at("components").as_object()["securitySchemes"];
  if (!schemes.is_object()) schemes.emplace_object();
  schemes.as_object()[bearer_scheme] = {{"type", "http"}, {"scheme", "bearer"}};
}

}  // namespace

std::string api_document(ApiDocumentOptions const& options) {
  auto document = json::parse(embedded::openapi_json).as_object();
  document.at("info").as_object()["version"] = version;
  for (auto const& operation : guarded_operations) {
    bool const required = operation.metrics_route ? options.metrics_token_required : options.api_token_required;
    if (required) require_bearer(document, operation);
  }
  return json::serialize(document);
}

}  // namespace wshub
