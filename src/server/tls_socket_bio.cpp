// A BIO_METHOD whose read is recv(), whose write is send(MSG_NOSIGNAL), and which remembers an emptied socket.
#include "server/tls_socket_bio.hpp"

#include <cerrno>
#include <new>

#include <sys/socket.h>

#include <openssl/bio.h>

namespace wshub {
namespace {

TlsSocketState& state_of(BIO* bio) {
  return *static_cast<TlsSocketState*>(BIO_get_data(bio));
}

bool would_block(int error) {
  return error == EAGAIN || error == EWOULDBLOCK;
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

int write_socket(BIO* bio, char const* bytes, std::size_t size, std::size_t* written) {
  BIO_clear_retry_flags(bio);
  ssize_t sent = 0;
  do {
    sent = ::send(state_of(bio).fd, bytes, size, MSG_NOSIGNAL);
  } while (sent < 0 && errno == EINTR);
  if (sent >= 0) {
    *written = static_cast<std::size_t>(sent);
    return 1;
  }
  if (would_block(errno)) BIO_set_retry_write(bio);
  return 0;
}

long control(BIO* bio, int command, long, void*) {
  switch (command) {
    case BIO_CTRL_FLUSH:
      return 1;  // nothing is held back: every write went to the socket
    case BIO_CTRL_EOF:
      return state_of(bio).ended ? 1 : 0;
    default:
      return 0;
  }
}

int create(BIO* bio) {
  BIO_set_init(bio, 1);
  return 1;
}

BIO_METHOD* socket_method() {
  // Made once and kept for the process's life, as OpenSSL's own methods are.
  static BIO_METHOD* const method = [] {
    int const index = BIO_get_new_index();
    BIO_METHOD* made = index == -1 ? nullptr : BIO_meth_new(index | BIO_TYPE_SOURCE_SINK, "wshub socket");
    if (made == nullptr || BIO_meth_set_read_ex(made, read_socket) != 1 ||
        BIO_meth_set_write_ex(made, write_socket) != 1 || BIO_meth_set_ctrl(made, control) != 1 ||
        BIO_meth_set_create(made, create) != 1) {
      throw std::bad_alloc();
    }
    return made;
  }();
  return method;
}

}  // namespace

bio_st* make_tls_socket_bio(TlsSocketState& state) {
  BIO* bio = BIO_new(socket_method());
  if (bio == nullptr) throw std::bad_alloc();
  BIO_set_data(bio, &state);
  return bio;
}

}  // namespace wshub
