// Server-side TLS 1.3 handshakes made in memory by one TLS library, for the handshake benchmark to time.
#pragma once

#include <ctime>
#include <memory>
#include <vector>

#include "tls_sessions.hpp"

namespace wshub::bench {

// The calling thread's CPU time, in seconds.
inline double thread_cpu_seconds() {
  timespec now{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
  return static_cast<double>(now.tv_sec) + static_cast<double>(now.tv_nsec) * 1e-9;
}

// The server's share of a handshake's CPU time: each of its steps runs through measure().
class ServerCpuTime {
 public:
  template <typename Step>
  auto measure(Step step) {
    double const start = thread_cpu_seconds();
    auto const result = step();
    seconds_ += thread_cpu_seconds() - start;
    return result;
  }
  double seconds() const { return seconds_; }

 private:
  double seconds_ = 0;
};

// Handshakes between a server and a client of the same library, X25519 and the ECDSA P-256 certificate, each end's
// bytes handed to the other in memory. Only the server's steps are timed: making its connection, each handshake step,
// and freeing it.
class ServerHandshakes {
 public:
  virtual ~ServerHandshakes() = default;
  // One full handshake, or one that resumes the ticket the last handshake gave (throws if the server did not resume);
  // the server's CPU seconds in it.
  virtual double handshake(bool resume) = 0;
};

// The server's context as wshub makes it (server/tls_context: one ticket, wshub's ticket keys).
std::unique_ptr<ServerHandshakes> openssl_handshakes(Credentials const& credentials);
std::unique_ptr<ServerHandshakes> gnutls_handshakes(Credentials const& credentials);

struct HandshakeLibrary {
  char const* name;
  std::unique_ptr<ServerHandshakes> (*make)(Credentials const&);
};
// The libraries one benchmark binary times. OpenSSL and GnuTLS share one (tls_handshake_libraries.cpp); BoringSSL has
// its own (boringssl_handshakes.cpp), since its symbols have OpenSSL's names.
std::vector<HandshakeLibrary> handshake_libraries();

}  // namespace wshub::bench
