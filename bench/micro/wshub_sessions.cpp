// wshub's own TLS 1.3 records (server/tls_record_sealer) on OpenSSL's sessions: the handshake and the idle state are
// OpenSSL's, each record is sealed by wshub with the keys OpenSSL hands over, as the server does.
#include <linux/tls.h>
#include <openssl/rand.h>

#include <stdexcept>
#include <vector>

#include <benchmark/benchmark.h>

#include "server/tls_record_sealer.hpp"
#include "tls_sessions.hpp"

namespace wshub::bench {
namespace {

// Keys as OpenSSL hands them to kernel TLS, drawn at random: the cost of a record does not depend on them.
tls12_crypto_info_aes_gcm_128 random_keys() {
  tls12_crypto_info_aes_gcm_128 keys{};
  keys.info.version = TLS_1_3_VERSION;
  keys.info.cipher_type = TLS_CIPHER_AES_GCM_128;
  if (RAND_bytes(keys.key, sizeof keys.key) != 1 || RAND_bytes(keys.salt, sizeof keys.salt) != 1 ||
      RAND_bytes(keys.iv, sizeof keys.iv) != 1) {
    throw std::runtime_error("RAND_bytes failed");
  }
  return keys;
}

class WshubSessions final : public ServerSessions {
 public:
  WshubSessions(Credentials const& credentials, std::size_t count)
      : handshakes_(openssl_sessions(credentials, count)),
        record_(TlsRecordSealer::max_plaintext_bytes + TlsRecordSealer::overhead_bytes) {
    sealers_.reserve(count);
    for (std::size_t index = 0; index < count; ++index) {
      auto const keys = random_keys();
      sealers_.push_back(std::make_unique<TlsRecordSealer>(keys.info));
    }
  }

  void write(std::size_t index, std::span<char const> bytes) override {
    benchmark::DoNotOptimize(sealers_[index]->seal(23, bytes, record_));
    benchmark::ClobberMemory();
  }

 private:
  std::unique_ptr<ServerSessions> handshakes_;  // each connection's OpenSSL state, kept as the server keeps it
  std::vector<std::unique_ptr<TlsRecordSealer>> sealers_;
  std::vector<char> record_;
};

}  // namespace

std::unique_ptr<ServerSessions> wshub_sessions(Credentials const& credentials, std::size_t count) {
  return std::make_unique<WshubSessions>(credentials, count);
}

}  // namespace wshub::bench
