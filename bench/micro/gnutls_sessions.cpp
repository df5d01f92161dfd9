// GnuTLS's server sessions for the record benchmark and its handshakes for the handshake benchmark (Debian's
// libgnutls), over in-memory pipes.
#include <cerrno>
#include <stdexcept>
#include <string>

#include <gnutls/gnutls.h>

#include "memory_pipe.hpp"
#include "tls_handshakes.hpp"
#include "tls_sessions.hpp"

namespace wshub::bench {
namespace {

void check(int result, char const* what) {
  if (result < 0) throw std::runtime_error(std::string(what) + ": " + gnutls_strerror(result));
}

ssize_t pull(gnutls_transport_ptr_t context, void* into, std::size_t size) {
  auto& pipe = *static_cast<MemoryPipe*>(context);
  if (pipe.incoming.empty()) {
    errno = EAGAIN;  // GnuTLS reads errno after a pull fails
    return -1;
  }
  return static_cast<ssize_t>(pipe.take(static_cast<char*>(into), size));
}

// Whether a read would find bytes; GnuTLS wants this beside a pull of our own.
int wait_for_bytes(gnutls_transport_ptr_t context, unsigned) {
  return static_cast<MemoryPipe*>(context)->incoming.empty() ? 0 : 1;
}

ssize_t push(gnutls_transport_ptr_t context, void const* bytes, std::size_t size) {
  static_cast<MemoryPipe*>(context)->send(static_cast<char const*>(bytes), size);
  return static_cast<ssize_t>(size);
}

constexpr char const* records_priority = "NORMAL:-VERS-ALL:+VERS-TLS1.3:-CIPHER-ALL:+AES-128-GCM";
// The key exchange OpenSSL's client and server agree on, for handshakes that do the same work.
constexpr char const* handshakes_priority =
    "NORMAL:-VERS-ALL:+VERS-TLS1.3:-CIPHER-ALL:+AES-128-GCM:-GROUP-ALL:+GROUP-X25519";

gnutls_session_t make_session(unsigned flags, MemoryPipe& pipe, gnutls_priority_t priority) {
  gnutls_session_t session = nullptr;
  check(gnutls_init(&session, flags | GNUTLS_NONBLOCK), "gnutls_init");
  check(gnutls_priority_set(session, priority), "GnuTLS priority");
  gnutls_transport_set_push_function(session, push);
  gnutls_transport_set_pull_function(session, pull);
  gnutls_transport_set_pull_timeout_function(session, wait_for_bytes);
  gnutls_transport_set_ptr(session, &pipe);
  return session;
}

// GnuTLS itself, the server's certificate and key, the client's (empty) credentials, a ticket key and the priorities,
// parsed once as a server would: what every session of one benchmark shares.
class GnutlsSetup {
 public:
  GnutlsSetup(Credentials const& credentials, char const* priority) {
    check(gnutls_global_init(), "gnutls_global_init");
    check(gnutls_priority_init(&priority_, priority, nullptr), "GnuTLS priority");
    check(gnutls_certificate_allocate_credentials(&server_credentials_), "server credentials");
    check(gnutls_certificate_allocate_credentials(&client_credentials_), "client credentials");
    gnutls_datum_t const certificate{const_cast<unsigned char*>(credentials.certificate.data()),
                                     static_cast<unsigned>(credentials.certificate.size())};
    gnutls_datum_t const key{const_cast<unsigned char*>(credentials.key.data()),
                             static_cast<unsigned>(credentials.key.size())};
    check(gnutls_certificate_set_x509_key_mem(server_credentials_, &certificate, &key, GNUTLS_X509_FMT_DER),
          "GnuTLS certificate and key");
    check(gnutls_session_ticket_key_generate(&ticket_key_), "GnuTLS ticket key");
  }

  ~GnutlsSetup() {
    gnutls_priority_deinit(priority_);
    gnutls_certificate_free_credentials(server_credentials_);
    gnutls_certificate_free_credentials(client_credentials_);
    gnutls_free(ticket_key_.data);
    gnutls_global_deinit();
  }
  GnutlsSetup(GnutlsSetup const&) = delete;
  GnutlsSetup& operator=(GnutlsSetup const&) = delete;

  // A server session on `pipe`, with the certificate and tickets.
  gnutls_session_t server(MemoryPipe& pipe) {
    gnutls_session_t server = make_session(GNUTLS_SERVER, pipe, priority_);
    check(gnutls_credentials_set(server, GNUTLS_CRD_CERTIFICATE, server_credentials_), "server credentials");
    check(gnutls_session_ticket_enable_server(server, &ticket_key_), "GnuTLS tickets");
    return server;
  }

  gnutls_session_t client(MemoryPipe& pipe) {
    gnutls_session_t client = make_session(GNUTLS_CLIENT, pipe, priority_);
    check(gnutls_credentials_set(client, GNUTLS_CRD_CERTIFICATE, client_credentials_), "client credentials");
    return client;
  }

 private:
  gnutls_certificate_credentials_t server_credentials_ = nullptr;
  gnutls_certificate_credentials_t client_credentials_ = nullptr;
  gnutls_datum_t ticket_key_{};
  gnutls_priority_t priority_ = nullptr;
};

// Runs both ends' handshake steps by turns until both are done, the server's timed by `server_time`.
void run_handshake(gnutls_session_t server, gnutls_session_t client, ServerCpuTime& server_time) {
  for (int step = 0; step < 16; ++step) {
    int const client_done = gnutls_handshake(client);
    int const server_done = server_time.measure([server] { return gnutls_handshake(server); });
    if (client_done == GNUTLS_E_SUCCESS && server_done == GNUTLS_E_SUCCESS) return;
  }
  throw std::runtime_error("GnuTLS handshake did not finish");
}

class GnutlsSessions final : public ServerSessions {
 public:
  GnutlsSessions(Credentials const& credentials, std::size_t count) : setup_(credentials, records_priority) {
    servers_.reserve(count);
    for (std::size_t i = 0; i < count; ++i) servers_.push_back(connect());
  }

  ~GnutlsSessions() override {
    for (gnutls_session_t server : servers_) gnutls_deinit(server);
  }

  void write(std::size_t index, std::span<char const> bytes) override {
    check(static_cast<int>(gnutls_record_send(servers_[index], bytes.data(), bytes.size())), "gnutls_record_send");
  }

 private:
  gnutls_session_t connect() {
    MemoryPipe server_end;
    MemoryPipe client_end;
    MemoryPipe::join(server_end, client_end);
    gnutls_session_t server = setup_.server(server_end);
    gnutls_session_t client = setup_.client(client_end);
    ServerCpuTime untimed;
    run_handshake(server, client, untimed);
    gnutls_deinit(client);
    // From here on records go nowhere.
    gnutls_transport_set_ptr(server, &sink_);
    return server;
  }

  GnutlsSetup setup_;
  MemoryPipe sink_;
  std::vector<gnutls_session_t> servers_;
};

class GnutlsHandshakes final : public ServerHandshakes {
 public:
  explicit GnutlsHandshakes(Credentials const& credentials) : setup_(credentials, handshakes_priority) {}

  ~GnutlsHandshakes() override { gnutls_free(ticket_.data); }

  double handshake(bool resume) override {
    MemoryPipe server_end;
    MemoryPipe client_end;
    MemoryPipe::join(server_end, client_end);
    ServerCpuTime server_time;
    gnutls_session_t server = server_time.measure([&] { return setup_.server(server_end); });
    gnutls_session_t client = setup_.client(client_end);
    if (resume) check(gnutls_session_set_data(client, ticket_.data, ticket_.size), "gnutls_session_set_data");
    run_handshake(server, client, server_time);
    take_ticket(client);
    if (resume && gnutls_session_is_resumed(server) == 0) {
      throw std::runtime_error("the GnuTLS server did not resume the ticket");
    }
    gnutls_deinit(client);
    server_time.measure([server] {
      gnutls_deinit(server);
      return 0;
    });
    return server_time.seconds();
  }

 private:
  // The ticket came after the handshake: a read takes it, then finds nothing more.
  void take_ticket(gnutls_session_t client) {
    char byte = 0;
    if (gnutls_record_recv(client, &byte, 1) != GNUTLS_E_AGAIN) throw std::runtime_error("GnuTLS ticket");
    gnutls_free(ticket_.data);
    ticket_ = {};
    check(gnutls_session_get_data2(client, &ticket_), "gnutls_session_get_data2");
  }

  GnutlsSetup setup_;
  gnutls_datum_t ticket_{};
};

}  // namespace

std::unique_ptr<ServerHandshakes> gnutls_handshakes(Credentials const& credentials) {
  return std::make_unique<GnutlsHandshakes>(credentials);
}

std::unique_ptr<ServerSessions> gnutls_sessions(Credentials const& credentials, std::size_t count) {
  return std::make_unique<GnutlsSessions>(credentials, count);
}

}  // namespace wshub::bench
