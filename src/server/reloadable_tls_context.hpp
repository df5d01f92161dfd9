// The TLS context new connections are made from, loaded again on SIGHUP or when its certificate or key file changes.
#pragma once

#include <memory>
#include <string_view>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>

#include "async/ticked_timer.hpp"
#include "ops/metrics.hpp"
#include "server/file_stamp.hpp"
#include "server/ticket_keys.hpp"
#include "server/tls_context.hpp"

namespace wshub {

// A connection keeps the context it began with (its SSL object holds a reference to OpenSSL's context), so a reload
// drops no connection; a new pair that does not load is logged at ERROR and the one in use stays. Session tickets
// keep their keys across reloads, so clients still resume, and the keys are replaced every
// options.ticket_key_rotation.
//
// Not thread-safe: every call, and the file check, runs on the executor given (the accept loop's). The check's
// completion holds a plain `this`: its owner (the listener) is destroyed only after the I/O threads have stopped.
class ReloadableTlsContext {
 public:
  // Loads the pair; throws TlsSetupError naming the setting, as TlsContext does.
  ReloadableTlsContext(asio::any_io_executor const& executor, TlsOptions options, Metrics& metrics);

  TlsContext const& current() const { return *current_; }

  // Logs the certificate in use; from now on checks the files every options.reload_check and replaces the ticket key
  // every options.ticket_key_rotation.
  void start();
  // Loads the pair again; `cause` ("SIGHUP", "a file changed") is named in the log line.
  void reload(std::string_view cause);
  // The files are no longer checked, nor the ticket key replaced: the server is stopping.
  void stop();

 private:
  void check_files_later();
  void rotate_ticket_key_later();
  void publish_expiry() const;

  TlsOptions const options_;
  Metrics& metrics_;
  // Used by OpenSSL's ticket callback, which runs only in handshakes, on the I/O threads: they stop before the
  // listener that owns this is destroyed, though an SSL_CTX may live on in a connection freed after it.
  TicketKeys ticket_keys_;
  std::unique_ptr<TlsContext> current_;
  // The files as they were when last loaded, or last tried: a pair that failed is not tried again until it changes.
  FileStamp cert_stamp_;
  FileStamp key_stamp_;
  TickedTimer<asio::steady_timer> check_timer_;
  TickedTimer<asio::steady_timer> rotation_timer_;
};

}  // namespace wshub
