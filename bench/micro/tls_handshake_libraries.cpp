// The libraries wshub_tls_handshake_benchmark times: OpenSSL as wshub configures it, and GnuTLS.
#include "tls_handshakes.hpp"

namespace wshub::bench {

std::vector<HandshakeLibrary> handshake_libraries() {
  return {{"openssl", openssl_handshakes}, {"gnutls", gnutls_handshakes}};
}

}  // namespace wshub::bench
