// TLS to Redis (rediss://): its settings, and the OpenSSL context a node's connections share, loaded from them.
#pragma once

#include <stdexcept>
#include <string>

#include <boost/asio/ssl/context.hpp>

#include "protocol/net.hpp"

namespace wshub {

struct RedisTlsOptions {
  std::string ca_file = {};    // PEM CA certificates that Redis's certificate must chain to; empty: the system's
  std::string cert_file = {};  // a client certificate (PEM, its chain after it), with key_file; empty: none
  std::string key_file = {};   // the client certificate's private key (PEM)
  bool insecure = false;       // verifies neither Redis's certificate nor its name: self-signed test setups only
};

// A TLS setting whose file cannot be used; what() names the setting, the file and OpenSSL's reason, on one line.
class RedisTlsError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Loaded once a node: the files are read at start-up (a bad one stops it there), and OpenSSL contexts are shared by
// any number of connections. Each connection adds what is its own: the host name it sends and verifies.
class RedisTlsContext {
 public:
  // Throws RedisTlsError.
  explicit RedisTlsContext(RedisTlsOptions const& options);

  asio::ssl::context& context() { return context_; }
  bool verifies_peer() const { return verifies_peer_; }

 private:
  asio::ssl::context context_;
  bool verifies_peer_;
};

}  // namespace wshub
