// Frames commands as RESP arrays of bulk strings.
#include "cluster/redis_reply.hpp"

#include <spdlog/fmt/fmt.h>

namespace wshub {

void append_redis_command(std::string& out, std::vector<std::string> const& args) {
  fmt::format_to(std::back_inserter(out), "*{}\r\n", args.size());
  for (auto const& arg : args) {
    fmt::format_to(std::back_inserter(out), "${}\r\n", arg.size());
    out.append(arg).append("\r\n");
  }
}

}  // namespace wshub
