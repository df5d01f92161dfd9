// A BIO_METHOD whose read is recv(), whose write is send(MSG_NOSIGNAL) or a record of our own, and which remembers an
// emptied socket.
#include "server/tls_socket_bio.hpp"

#include <cerrno>
#include <new>

#include <sys/socket.h>

#include <linux/tls.h>
#include <openssl/bio.h>

#include "server/nonblocking_socket.hpp"

namespace wshub {
namespace {

// OpenSSL's controls for kernel TLS, internal to it (include/openssl/bio.h reserves their numbers): with
// SSL_OP_ENABLE_KTLS it offers a BIO the write keys, then gives it plaintext, naming each record that is not
// application data before it writes it (the BIO forgets the name once that record is made).
constexpr int control_set_ktls = 72;
constexpr int control_set_record_type = 74;

TlsSocketState& state_of(BIO* bio) {
  return *static_cast<TlsSocketState*>(BIO_get_data(bio));
}

int read_socket(BIO* bio, char* into, std::size_t size, std::size_t* read) {
  auto& state = state_of(bio);
  BIO_clear_retry_flags(bio);
  if (state.drained) {
    BIO_set_retry_read(bio);
    return 0;
  }
  ssize_t got = 0;
  do {
    got = ::recv(state.fd, into, size, 0);
  } while (got < 0 && errno == EINTR);
  if (got > 0) {
    state.drained = static_cast<std::size_t>(got) < size;
    *read = static_cast<std::size_t>(got);
    return 1;
  }
  if (got == 0) {
    state.ended = true;
  } else if (would_block(errno)) {
    state.drained = true;
    BIO_set_retry_read(bio);
  }
  return 0;
}

int write_record(BIO* bio, char const* bytes, std::size_t size, std::size_t* written) {
  auto const outcome = state_of(bio).records.write_for_openssl(state_of(bio).fd, {bytes, size});
  switch (outcome.result) {
    case TlsRecordWriter::Result::sent:
      *written = outcome.written;
      return 1;
    case TlsRecordWriter::Result::would_block:
      BIO_set_retry_write(bio);
      return 0;
    case TlsRecordWriter::Result::failed:
      return 0;
  }
  return 0;
}

int write_socket(BIO* bio, char const* bytes, std::size_t size, std::size_t* written) {
  BIO_clear_retry_flags(bio);
  // A KeyUpdate the socket took only part of is the writer's to finish, though the keys are OpenSSL's again.
  auto const& records = state_of(bio).records;
  if (records.sealing() || records.holds_unsent()) return write_record(bio, bytes, size, written);
  ssize_t const sent = send_some(state_of(bio).fd, bytes, size);
  if (sent >= 0) {
    *written = static_cast<std::size_t>(sent);
    return 1;
  }
  if (would_block(errno)) BIO_set_retry_write(bio);
  return 0;
}

long control(BIO* bio, int command, long argument, void* pointer) {
  auto& records = state_of(bio).records;
  switch (command) {
    case BIO_CTRL_FLUSH:
      // Asked before each record of OpenSSL's own: it waits while one of wshub's is part-sent.
      if (records.open_to_openssl()) return 1;
      BIO_set_retry_write(bio);
      return 0;
    case BIO_CTRL_EOF:
      return state_of(bio).ended ? 1 : 0;
    case control_set_ktls:  // `argument` is non-zero for the write direction; `pointer` is Linux's tls_crypto_info
      return argument != 0 && records.take_keys(*static_cast<tls_crypto_info const*>(pointer)) ? 1 : 0;
    case BIO_CTRL_GET_KTLS_SEND:
      return records.sealing() ? 1 : 0;
    case control_set_record_type:
      records.set_record_type(static_cast<std::uint8_t>(argument));
      return 0;
    default:
      return 0;
  }
}

int create(BIO* bio) {
  BIO_set_init(bio, 1);
  return 1;
}

BIO_METHOD const* socket_method() {
  // Made once and kept for the process's life, as OpenSSL's own methods are.
  static BIO_METHOD const* const made = [] {
    int const index = BIO_get_new_index();
    if (index == -1) throw std::bad_alloc();
    BIO_METHOD* method = BIO_meth_new(index | BIO_TYPE_SOURCE_SINK, "wshub socket");
    if (method == nullptr || BIO_meth_set_read_ex(method, read_socket) != 1 ||
        BIO_meth_set_write_ex(method, write_socket) != 1 || BIO_meth_set_ctrl(method, control) != 1 ||
        BIO_meth_set_create(method, create) != 1) {
      throw std::bad_alloc();
    }
    return method;
  }();
  return made;
}

}  // namespace

bio_st* make_tls_socket_bio(TlsSocketState& state) {
  BIO* bio = BIO_new(socket_method());
  if (bio == nullptr) throw std::bad_alloc();
  BIO_set_data(bio, &state);
  return bio;
}

}  // namespace wshub
