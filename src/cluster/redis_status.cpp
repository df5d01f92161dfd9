// An outage is logged once when it begins and once when it ends, however often the connections flap meanwhile.
#include "cluster/redis_status.hpp"

#include <utility>

#include "ops/logging.hpp"

namespace wshub {

// A failed first attempt ends the joining too, as an outage from the start: a node that cannot reach Redis serves
// its own clients rather than stay unready.
void RedisStatus::on_down(bool connected) {
  if (joining_.exchange(false)) note_outage("cannot reach Redis");
  on_change(connected);
}

void RedisStatus::on_up(bool connected) {
  on_change(connected);
}

void RedisStatus::on_change(bool connected) {
  if (connected == connected_.load()) return;
  connected_ = connected;
  if (!connected) return note_outage("lost Redis");
  auto const waited = std::chrono::duration<double>(std::chrono::steady_clock::now() - outage_started_).count();
  log_event(spdlog::level::info, {{"redis", "up"}, {"waited_sec", waited}},
            "cluster: connected to Redis at {} after {:.1f} s", where(), waited);
  outage_logged_ = false;
  refusal_logged_ = false;
}

void RedisStatus::on_refused(RedisRefusal const& refusal) {
  if (std::exchange(refusal_logged_, true)) return;
  auto const what =
      refusal.cause == RedisRefusal::Cause::tls
          ? fmt::format("TLS to Redis at {} failed ({})", shown_url(redis_), refusal.reason)
      : refusal.cause == RedisRefusal::Cause::sentinel
          ? fmt::format("a sentinel refused REDIS_SENTINEL_PASSWORD ({})", refusal.reason)
          : fmt::format("Redis at {} refused the credentials of REDIS_URL ({})", shown_url(redis_), refusal.reason);
  log_event(spdlog::level::warn, {{"redis", "refused"}, {"reason", refusal.reason}},
            "cluster: {}; serving this node's clients only, retrying", what);
}

void RedisStatus::set_primary(RedisAddress const& primary) {
  std::lock_guard const lock(primary_mutex_);
  primary_ = shown_address(primary);
}

std::string RedisStatus::primary() const {
  std::lock_guard const lock(primary_mutex_);
  return primary_;
}

std::string RedisStatus::where() const {
  std::lock_guard const lock(primary_mutex_);
  return primary_.empty() ? where_ : primary_;
}

void RedisStatus::note_outage(std::string_view what) {
  if (outage_logged_) return;
  outage_logged_ = true;
  outage_started_ = std::chrono::steady_clock::now();
  metrics_.add(Counter::redis_outages);
  log_event(spdlog::level::warn, {{"redis", "down"}},
            "cluster: {} at {}; serving this node's clients only, reconnecting", what, where());
}

}  // namespace wshub
