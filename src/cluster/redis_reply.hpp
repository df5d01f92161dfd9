// A Redis reply as a plain value, copied out of what hiredis's RESP reader parsed.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace wshub {

struct RedisReply {
  enum class Kind { nil, integer, string, status, error, array };

  Kind kind = Kind::nil;
  std::int64_t integer = 0;
  std::string text;  // a string, a status or an error
  std::vector<RedisReply> elements;

  bool is_error() const { return kind == Kind::error; }
  static RedisReply error(std::string message) {
    return {.kind = Kind::error, .integer = 0, .text = std::move(message), .elements = {}};
  }
};

// RESP2 request framing: what `redisFormatCommandArgv` writes, appended to `out` with no allocation of its own.
void append_redis_command(std::string& out, std::vector<std::string> const& args);

}  // namespace wshub
