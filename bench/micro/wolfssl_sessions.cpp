// wolfSSL's server sessions for the record benchmark (Debian's libwolfssl, its own API), over in-memory pipes.
#include <wolfssl/options.h>

#include <stdexcept>

#include <wolfssl/ssl.h>

#include "memory_pipe.hpp"
#include "tls_sessions.hpp"

namespace wshub::bench {
namespace {

void check(bool ok, char const* what) {
  if (!ok) throw std::runtime_error(what);
}

int receive(WOLFSSL*, char* into, int size, void* context) {
  auto& pipe = *static_cast<MemoryPipe*>(context);
  if (pipe.incoming.empty()) return WOLFSSL_CBIO_ERR_WANT_READ;
  return static_cast<int>(pipe.take(into, static_cast<std::size_t>(size)));
}

int send(WOLFSSL*, char* bytes, int size, void* context) {
  static_cast<MemoryPipe*>(context)->send(bytes, static_cast<std::size_t>(size));
  return size;
}

WOLFSSL_CTX* make_context(WOLFSSL_METHOD* method) {
  WOLFSSL_CTX* context = wolfSSL_CTX_new(method);
  check(context != nullptr, "wolfSSL_CTX_new");
  check(wolfSSL_CTX_set_cipher_list(context, "TLS13-AES128-GCM-SHA256") == WOLFSSL_SUCCESS, "wolfSSL ciphers");
  wolfSSL_CTX_SetIORecv(context, receive);
  wolfSSL_CTX_SetIOSend(context, send);
  return context;
}

class WolfsslSessions final : public ServerSessions {
 public:
  WolfsslSessions(Credentials const& credentials, std::size_t count) {
    check(wolfSSL_Init() == WOLFSSL_SUCCESS, "wolfSSL_Init");
    server_context_ = make_context(wolfTLSv1_3_server_method());
    client_context_ = make_context(wolfTLSv1_3_client_method());
    wolfSSL_CTX_set_verify(client_context_, WOLFSSL_VERIFY_NONE, nullptr);
    check(wolfSSL_CTX_use_certificate_buffer(server_context_, credentials.certificate.data(),
                                             static_cast<long>(credentials.certificate.size()),
                                             WOLFSSL_FILETYPE_ASN1) == WOLFSSL_SUCCESS,
          "wolfSSL certificate");
    check(wolfSSL_CTX_use_PrivateKey_buffer(server_context_, credentials.key.data(),
                                            static_cast<long>(credentials.key.size()),
                                            WOLFSSL_FILETYPE_ASN1) == WOLFSSL_SUCCESS,
          "wolfSSL key");
    servers_.reserve(count);
    for (std::size_t i = 0; i < count; ++i) servers_.push_back(connect());
  }

  ~WolfsslSessions() override {
    for (WOLFSSL* server : servers_) wolfSSL_free(server);
    wolfSSL_CTX_free(server_context_);
    wolfSSL_CTX_free(client_context_);
    wolfSSL_Cleanup();
  }

  void write(std::size_t index, std::span<char const> bytes) override {
    check(
        wolfSSL_write(servers_[index], bytes.data(), static_cast<int>(bytes.size())) == static_cast<int>(bytes.size()),
        "wolfSSL_write");
  }

 private:
  WOLFSSL* connect() {
    WOLFSSL* server = wolfSSL_new(server_context_);
    WOLFSSL* client = wolfSSL_new(client_context_);
    MemoryPipe server_end;
    MemoryPipe client_end;
    server_end.peer = &client_end;
    client_end.peer = &server_end;
    wolfSSL_SetIOReadCtx(server, &server_end);
    wolfSSL_SetIOWriteCtx(server, &server_end);
    wolfSSL_SetIOReadCtx(client, &client_end);
    wolfSSL_SetIOWriteCtx(client, &client_end);
    bool done = false;
    for (int step = 0; step < 16 && !done; ++step) {
      int const client_done = wolfSSL_connect(client);
      int const server_done = wolfSSL_accept(server);
      done = client_done == WOLFSSL_SUCCESS && server_done == WOLFSSL_SUCCESS;
    }
    check(done, "wolfSSL handshake did not finish");
    wolfSSL_free(client);
    // From here on records go nowhere.
    wolfSSL_SetIOReadCtx(server, &sink_);
    wolfSSL_SetIOWriteCtx(server, &sink_);
    return server;
  }

  WOLFSSL_CTX* server_context_ = nullptr;
  WOLFSSL_CTX* client_context_ = nullptr;
  MemoryPipe sink_;
  std::vector<WOLFSSL*> servers_;
};

}  // namespace

std::unique_ptr<ServerSessions> wolfssl_sessions(Credentials const& credentials, std::size_t count) {
  return std::make_unique<WolfsslSessions>(credentials, count);
}

}  // namespace wshub::bench
