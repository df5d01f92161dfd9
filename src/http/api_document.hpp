// The OpenAPI document served at /openapi.json: src/openapi.json, completed with what is known only at start-up.
#pragma once

#include <string>

namespace wshub {

// Which routes need a bearer token (ApiOptions' tokens are set); the document declares the scheme on those.
struct ApiDocumentOptions {
  bool api_token_required = false;      // /clients and /broadcast-to-all
  bool metrics_token_required = false;  // /metrics
};

// The document as JSON text, with this build's version in info.version.
std::string api_document(ApiDocumentOptions const& options);

}  // namespace wshub
