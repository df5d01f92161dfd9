// One rate-limited log shared by every thread for the refusals of peers.
#include "server/rejection_log.hpp"

#include "ops/rate_limited_log.hpp"

namespace wshub {

void write_rate_limited_debug(std::string const& message, std::span<LogField const> fields) {
  static RateLimitedLog log(spdlog::level::debug, 10, std::chrono::seconds(1));
  log.write(message, fields);
}

}  // namespace wshub
