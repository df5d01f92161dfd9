// Server-side TLS 1.3 sessions made in memory by one TLS library, for the record benchmark to write through.
#pragma once

#include <cstddef>
#include <memory>
#include <span>
#include <vector>

namespace wshub::bench {

// A self-signed ECDSA P-256 certificate and its key, in DER, as the TLS benchmark's certificate is.
struct Credentials {
  std::vector<unsigned char> certificate;
  std::vector<unsigned char> key;
};

Credentials make_credentials();

// `count` server connections, each with its handshake done (TLS 1.3, AES-128-GCM) against a client that is then freed;
// what a connection writes is encrypted and dropped, so a write costs the library's work alone, no syscall.
class ServerSessions {
 public:
  virtual ~ServerSessions() = default;
  // One record of `bytes` on connection `index`.
  virtual void write(std::size_t index, std::span<char const> bytes) = 0;
};

std::unique_ptr<ServerSessions> openssl_sessions(Credentials const& credentials, std::size_t count);
std::unique_ptr<ServerSessions> wolfssl_sessions(Credentials const& credentials, std::size_t count);
std::unique_ptr<ServerSessions> gnutls_sessions(Credentials const& credentials, std::size_t count);
// OpenSSL's sessions with wshub's own record sealing, as the server writes after a TLS 1.3 handshake.
std::unique_ptr<ServerSessions> wshub_sessions(Credentials const& credentials, std::size_t count);

}  // namespace wshub::bench
