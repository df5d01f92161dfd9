// Swaps the TLS context for a newly loaded one, keeping the old one when the new pair fails.
#include "server/reloadable_tls_context.hpp"

#include <ctime>
#include <exception>
#include <string>
#include <utility>

#include <spdlog/fmt/chrono.h>

#include "ops/logging.hpp"

namespace wshub {
namespace {

// "2027-03-01T12:00:00Z"
std::string utc_text(std::int64_t unix_seconds) {
  return fmt::format("{:%Y-%m-%dT%H:%M:%SZ}", fmt::gmtime(static_cast<std::time_t>(unix_seconds)));
}

}  // namespace

ReloadableTlsContext::ReloadableTlsContext(asio::any_io_executor const& executor, TlsOptions options, Metrics& metrics)
    : options_(std::move(options)),
      metrics_(metrics),
      cert_stamp_(stamp_of(options_.cert_file)),
      key_stamp_(stamp_of(options_.key_file)),
      check_timer_(executor),
      rotation_timer_(executor) {
  current_ = std::make_unique<TlsContext>(options_);
  current_->use_ticket_keys(ticket_keys_);
  publish_expiry();
}

void ReloadableTlsContext::start() {
  auto const expires = utc_text(current_->expires_at());
  log_event(spdlog::level::info, {{"serial", current_->serial()}, {"expires", expires}},
            "TLS certificate: serial {}, expires {}", current_->serial(), expires);
  check_files_later();
  rotate_ticket_key_later();
}

void ReloadableTlsContext::reload(std::string_view cause) {
  cert_stamp_ = stamp_of(options_.cert_file);
  key_stamp_ = stamp_of(options_.key_file);
  try {
    auto replacement = std::make_unique<TlsContext>(options_);
    replacement->use_ticket_keys(ticket_keys_);
    current_ = std::move(replacement);
  } catch (std::exception const& error) {  // TlsSetupError, or OpenSSL out of memory: the old pair stays either way
    metrics_.add(Counter::tls_reloads_failed);
    log_event(spdlog::level::err, {{"cause", cause}, {"serial", current_->serial()}, {"reason", error.what()}},
              "TLS certificate reload ({}) failed, still serving serial {}: {}", cause, current_->serial(),
              error.what());
    return;
  }
  metrics_.add(Counter::tls_reloads_loaded);
  publish_expiry();
  auto const expires = utc_text(current_->expires_at());
  log_event(spdlog::level::info, {{"cause", cause}, {"serial", current_->serial()}, {"expires", expires}},
            "TLS certificate reloaded ({}): serial {}, expires {}", cause, current_->serial(), expires);
}

void ReloadableTlsContext::stop() {
  check_timer_.cancel();
  rotation_timer_.cancel();
}

void ReloadableTlsContext::check_files_later() {
  if (options_.reload_check.count() <= 0) return;
  check_timer_.arm_after(options_.reload_check, [this] {
    if (stamp_of(options_.cert_file) != cert_stamp_ || stamp_of(options_.key_file) != key_stamp_) {
      reload("a file changed");
    }
    check_files_later();
  });
}

void ReloadableTlsContext::rotate_ticket_key_later() {
  rotation_timer_.arm_after(options_.ticket_key_rotation, [this] {
    ticket_keys_.rotate();
    log_event(spdlog::level::info, {{"rotations", ticket_keys_.rotations()}},
              "TLS session ticket key replaced ({} so far): tickets sealed before the last one no longer resume",
              ticket_keys_.rotations());
    rotate_ticket_key_later();
  });
}

void ReloadableTlsContext::publish_expiry() const {
  metrics_.set_tls_certificate_expiry(current_->expires_at());
}

}  // namespace wshub
