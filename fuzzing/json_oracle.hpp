// The fuzz targets' oracle for a JSON body: Boost.JSON's own reading of it, as FastAPI's Python would read it.
#pragma once

#include <string_view>

#include <boost/json.hpp>

#include "http/message_body.hpp"

namespace wshub::fuzzing {

// The document under the same nesting limit as the parser under test, after a UTF-8 BOM.
inline boost::json::value parse_json(std::string_view body, boost::system::error_code& error) {
  boost::json::parse_options options;
  options.max_depth = max_json_depth;
  return boost::json::parse(json_text_of(body), error, {}, options);
}

}  // namespace wshub::fuzzing
