// OpenSSL's reads and writes on a non-blocking socket, through a BIO of wshub's own rather than OpenSSL's socket BIO.
#pragma once

#include "server/tls_record_writer.hpp"

struct bio_st;

namespace wshub {

// What the BIO knows of its socket. OpenSSL's socket BIO calls read() and write(): the socket calls skip the file
// layer, and send() with MSG_NOSIGNAL cannot raise SIGPIPE. OpenSSL asks the socket again after every record it
// has read, so a burst of records would cost one more read that can only answer EAGAIN; a read that came back short
// says the socket is empty, and until the caller says new bytes may have come, the BIO answers "retry" itself.
// Once a TLS 1.3 handshake is done, the BIO takes the write keys OpenSSL offers kernel TLS and seals the records
// itself, at less than half of OpenSSL 3.0's cost for a small record in a fan-out (docs/architecture.md).
struct TlsSocketState {
  int fd = -1;
  bool drained = false;  // the last read emptied the socket: wait for epoll before asking it again
  bool ended = false;    // the peer's FIN was read
  TlsRecordWriter records;
};

// A BIO on `state`'s socket, which the caller keeps alive (and open) as long as the BIO.
bio_st* make_tls_socket_bio(TlsSocketState& state);

}  // namespace wshub
