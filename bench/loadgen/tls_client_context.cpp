// What every TLS connection of a run shares: OpenSSL's client context, and the sessions new connections may resume.
#include "tls_client_context.hpp"

#include <openssl/err.h>
#include <openssl/x509_vfy.h>

#include <stdexcept>
#include <utility>

namespace loadgen {
namespace {

// The index of the context pointer in each SSL object's ex_data, for the new-session callback to find its context.
int context_index() {
  static const int index = SSL_get_ex_new_index(0, nullptr, nullptr, nullptr, nullptr);
  return index;
}

std::runtime_error openssl_error(const std::string& what) {
  char reason[256] = "unknown error";
  ERR_error_string_n(ERR_get_error(), reason, sizeof reason);
  return std::runtime_error(what + ": " + reason);
}

}  // namespace

TlsClientContext::TlsClientContext(TlsClientOptions options)
    : options_(std::move(options)), context_(SSL_CTX_new(TLS_client_method())) {
  if (!context_) throw openssl_error("cannot make a TLS context");
  SSL_CTX_set_min_proto_version(context_.get(), TLS1_2_VERSION);
  // A server that drops the connection without close_notify has ended the stream all the same.
  SSL_CTX_set_options(context_.get(), SSL_OP_IGNORE_UNEXPECTED_EOF);
  // A load generator holds thousands of idle connections: OpenSSL frees their buffers between records.
  SSL_CTX_set_mode(context_.get(),
                   SSL_MODE_RELEASE_BUFFERS | SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
  if (verifies()) {
    if (SSL_CTX_load_verify_locations(context_.get(), options_.ca_file.c_str(), nullptr) != 1) {
      throw openssl_error("cannot load --tls-ca-file " + options_.ca_file);
    }
    SSL_CTX_set_verify(context_.get(), SSL_VERIFY_PEER, nullptr);
  }
  if (options_.resume) {
    SSL_CTX_set_session_cache_mode(context_.get(), SSL_SESS_CACHE_CLIENT | SSL_SESS_CACHE_NO_INTERNAL_STORE);
    SSL_CTX_sess_set_new_cb(context_.get(), &TlsClientContext::on_new_session);
  }
}

SSL* TlsClientContext::new_connection(const std::string& ip_address) {
  SSL* ssl = SSL_new(context_.get());
  if (ssl == nullptr) return nullptr;
  if (verifies() && X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), ip_address.c_str()) != 1) {
    SSL_free(ssl);
    return nullptr;
  }
  SSL_set_ex_data(ssl, context_index(), this);
  if (options_.resume) {
    if (const Session session = take_session()) SSL_set_session(ssl, session.get());
  }
  return ssl;
}

TlsClientContext::Session TlsClientContext::take_session() {
  if (sessions_.empty()) return nullptr;
  if (SSL_SESSION_get_protocol_version(sessions_.back().get()) != TLS1_3_VERSION) {
    SSL_SESSION_up_ref(sessions_.back().get());
    return Session(sessions_.back().get());
  }
  Session newest = std::move(sessions_.back());
  sessions_.pop_back();
  return newest;
}

// A copy goes into the pool: OpenSSL marks the connection's own session not resumable if that connection ends
// without close_notify, which a timeout or an error may. Returning 0 leaves OpenSSL's reference to OpenSSL.
int TlsClientContext::on_new_session(SSL* ssl, SSL_SESSION* session) {
  auto* self = static_cast<TlsClientContext*>(SSL_get_ex_data(ssl, context_index()));
  Session copy(SSL_SESSION_dup(session));
  if (!copy) return 0;
  if (self->sessions_.size() == session_pool_limit) self->sessions_.pop_front();
  self->sessions_.push_back(std::move(copy));
  return 0;
}

}  // namespace loadgen
