// Seals and opens TLS session tickets with wshub's own keys, so that they can be replaced while the server runs.
#include "server/ticket_keys.hpp"

#include <algorithm>
#include <new>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>

namespace wshub {
namespace {

// What OpenSSL's ticket callback returns (SSL_CTX_set_tlsext_ticket_key_evp_cb(3)).
constexpr int ticket_failed = -1;
constexpr int ticket_unknown = 0;  // opening: no such key, so a full handshake
constexpr int ticket_ok = 1;
constexpr int ticket_ok_renew = 2;  // opening: it opens, and the client gets a new ticket

}  // namespace

TicketKeys::TicketKeys() : current_(random_key()) {}

TicketKeys::~TicketKeys() {
  erase(current_);
  if (previous_) erase(*previous_);
}

TicketKeys::Key TicketKeys::random_key() {
  Key key{};
  if (RAND_bytes(key.name.data(), static_cast<int>(key.name.size())) != 1 ||
      RAND_bytes(key.cipher_key.data(), static_cast<int>(key.cipher_key.size())) != 1 ||
      RAND_bytes(key.mac_key.data(), static_cast<int>(key.mac_key.size())) != 1) {
    throw std::bad_alloc();  // OpenSSL's generator fails only when it cannot allocate or seed
  }
  return key;
}

void TicketKeys::erase(Key& key) {
  OPENSSL_cleanse(&key, sizeof key);
}

bool TicketKeys::use_key(Key& key, unsigned char const* iv, EVP_CIPHER_CTX* cipher, EVP_MAC_CTX* mac, bool seal) {
  // The cipher and MAC of OpenSSL's own ticket keys.
  char digest[] = "sha256";
  OSSL_PARAM const parameters[] = {
      OSSL_PARAM_construct_octet_string(OSSL_MAC_PARAM_KEY, key.mac_key.data(), key.mac_key.size()),
      OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0), OSSL_PARAM_construct_end()};
  int const ready = seal ? EVP_EncryptInit_ex(cipher, EVP_aes_256_cbc(), nullptr, key.cipher_key.data(), iv)
                         : EVP_DecryptInit_ex(cipher, EVP_aes_256_cbc(), nullptr, key.cipher_key.data(), iv);
  return ready == 1 && EVP_MAC_CTX_set_params(mac, parameters) == 1;
}

void TicketKeys::install_in(SSL_CTX* context) {
  SSL_CTX_set_app_data(context, this);
  SSL_CTX_set_tlsext_ticket_key_evp_cb(context, &TicketKeys::on_ticket);
}

void TicketKeys::rotate() {
  Key fresh = random_key();
  std::lock_guard const lock(mutex_);
  if (previous_) erase(*previous_);
  previous_ = current_;
  current_ = fresh;
  erase(fresh);
  ++rotations_;
}

std::uint64_t TicketKeys::rotations() const {
  std::lock_guard const lock(mutex_);
  return rotations_;
}

int TicketKeys::on_ticket(SSL* ssl, unsigned char* name, unsigned char* iv, EVP_CIPHER_CTX* cipher, EVP_MAC_CTX* mac,
                          int seal) {
  auto* keys = static_cast<TicketKeys*>(SSL_CTX_get_app_data(SSL_get_SSL_CTX(ssl)));
  if (seal) return keys->seal(name, iv, cipher, mac);
  // A TLS 1.3 client should use a ticket once (RFC 8446 appendix C.4), so every resumption gets a new one, as with
  // OpenSSL's own keys; a TLS 1.2 client keeps its ticket and gets a new one only when its key is the previous one.
  return keys->open(name, iv, cipher, mac, SSL_version(ssl) == TLS1_3_VERSION);
}

int TicketKeys::seal(unsigned char* name, unsigned char* iv, EVP_CIPHER_CTX* cipher, EVP_MAC_CTX* mac) {
  if (RAND_bytes(iv, EVP_CIPHER_get_iv_length(EVP_aes_256_cbc())) != 1) return ticket_failed;
  std::lock_guard const lock(mutex_);
  std::copy(current_.name.begin(), current_.name.end(), name);
  return use_key(current_, iv, cipher, mac, true) ? ticket_ok : ticket_failed;
}

int TicketKeys::open(unsigned char const* name, unsigned char* iv, EVP_CIPHER_CTX* cipher, EVP_MAC_CTX* mac,
                     bool always_renew) {
  std::lock_guard const lock(mutex_);
  auto const named = [name](Key const& key) { return std::equal(key.name.begin(), key.name.end(), name); };
  if (named(current_)) {
    if (!use_key(current_, iv, cipher, mac, false)) return ticket_failed;
    return always_renew ? ticket_ok_renew : ticket_ok;
  }
  if (previous_ && named(*previous_))
    return use_key(*previous_, iv, cipher, mac, false) ? ticket_ok_renew : ticket_failed;
  return ticket_unknown;
}

}  // namespace wshub
