// Starts a member coroutine that keeps its object alive until it ends and logs anything it throws, and the token
// such coroutines await with.
#pragma once

#include <exception>
#include <memory>
#include <string_view>

#include <spdlog/spdlog.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "ops/logging.hpp"

#include "protocol/net.hpp"

namespace wshub {

// Await an operation and get its error code back as a value instead of an exception:
// disconnects are routine here, not exceptional.
inline constexpr auto as_result = asio::as_tuple(asio::use_awaitable);

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
