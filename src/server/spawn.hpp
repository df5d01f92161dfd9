// Starts a member coroutine that keeps its object alive until it ends and logs anything it throws.
#pragma once

#include <exception>
#include <memory>
#include <string_view>

#include <spdlog/spdlog.h>

#include "ops/logging.hpp"

#include "protocol/net.hpp"

namespace wshub {

// The completion handler owns the object, so the coroutine's `this` stays valid to its last line.
template <typename Owner>
void spawn_owned(std::shared_ptr<Owner> owner, asio::awaitable<void> coroutine, std::string_view what) {
  auto executor = owner->executor();
  asio::co_spawn(executor, std::move(coroutine), [owner = std::move(owner), what](std::exception_ptr error) {
    if (!error) return;
    try {
      std::rethrow_exception(error);
    } catch (std::exception const& e) {
      log_event(spdlog::level::err, {{"reason", e.what()}}, "{} failed: {}", what, e.what());
    }
  });
}

}  // namespace wshub
