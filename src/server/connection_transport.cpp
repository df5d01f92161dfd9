// The TLS side of a connection's transport; the plain side is the socket's own inline calls.
#include "server/connection_transport.hpp"

namespace wshub {

ConnectionTransport::ConnectionTransport(ConnectionSocket socket, TlsContext const& tls)
    : socket_(std::move(socket)), tls_(std::make_unique<TlsConnection>(tls, socket_.native_handle())) {}

void ConnectionTransport::handshake(error_code& error) {
  error = {};
  if (tls_) tls_->handshake(error);
}

void ConnectionTransport::shutdown(asio::socket_base::shutdown_type what, error_code& error) {
  if (tls_ && what != asio::socket_base::shutdown_receive) tls_->shutdown();
  socket_.shutdown(what, error);
}

std::array<char, TlsConnection::max_record_bytes>& ConnectionTransport::record_staging() {
  thread_local std::array<char, TlsConnection::max_record_bytes> staging;
  return staging;
}

}  // namespace wshub
