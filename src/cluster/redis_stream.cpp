// A new TLS session for each connection, with SNI and the host name check of RFC 6125.
#include "cluster/redis_stream.hpp"

#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>

namespace wshub {
namespace {

bool is_ip_address(std::string const& host) {
  error_code error;
  asio::ip::make_address(host, error);
  return !error;
}

// Asio's check fails the handshake with no reason of its own ("unspecified certificate verification error"): a
// refusal names the host name as what did not match.
class HostNameCheck {
 public:
  explicit HostNameCheck(std::string const& host) : check_(host) {}

  bool operator()(bool preverified, asio::ssl::verify_context& context) {
    bool const verified = check_(preverified, context);
    if (preverified && !verified) X509_STORE_CTX_set_error(context.native_handle(), X509_V_ERR_HOSTNAME_MISMATCH);
    return verified;
  }

 private:
  asio::ssl::host_name_verification check_;
};

}  // namespace

RedisStream::RedisStream(asio::any_io_executor executor, std::shared_ptr<RedisTlsContext> tls)
    : executor_(std::move(executor)), tls_context_(std::move(tls)), plain_(executor_) {}

void RedisStream::renew(std::string const& host) {
  close();
  if (!tls_context_) return;
  tls_stream_ = std::make_shared<TlsStream>(executor_, tls_context_->context());
  // RFC 6066 allows only host names in SNI, not addresses.
  if (!is_ip_address(host)) SSL_set_tlsext_host_name(tls_stream_->native_handle(), host.c_str());
  if (tls_context_->verifies_peer()) tls_stream_->set_verify_callback(HostNameCheck(host));
}

void RedisStream::close() {
  error_code ignored;
  socket().close(ignored);
}

bool RedisStream::has_unread_bytes() {
  error_code ignored;
  if (socket().available(ignored) > 0) return true;
  return tls_stream_ && SSL_pending(tls_stream_->native_handle()) > 0;
}

std::string RedisStream::tls_failure(error_code error) {
  std::string why = error.message();
  if (!tls_stream_) return why;
  auto const verified = SSL_get_verify_result(tls_stream_->native_handle());
  if (verified != X509_V_OK) {
    why += ": ";
    why += X509_verify_cert_error_string(verified);
  }
  return why;
}

}  // namespace wshub
