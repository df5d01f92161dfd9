// The BIO under a real OpenSSL client on a socket pair: TLS 1.3 records sealed by wshub are opened by the client.
#include "server/tls_socket_bio.hpp"

#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <memory>
#include <string>

#include <gtest/gtest.h>
#include <openssl/ssl.h>

#include "key_update_count.hpp"
#include "server/tls_context.hpp"
#include "test_certificate.hpp"

namespace wshub {
namespace {

namespace fs = std::filesystem;

// A server SSL on our BIO and an OpenSSL client, over a non-blocking socket pair.
struct BioConnection {
  explicit BioConnection(TlsContext const& context) {
    EXPECT_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, fds), 0);
    state.fd = fds[0];
    server.reset(SSL_new(context.native()));
    BIO* const bio = make_tls_socket_bio(state);
    SSL_set_bio(server.get(), bio, bio);
    SSL_set_accept_state(server.get());
    client_context.reset(SSL_CTX_new(TLS_client_method()));
    client.reset(SSL_new(client_context.get()));
    SSL_set_fd(client.get(), fds[1]);
    SSL_set_connect_state(client.get());
  }
  BioConnection(BioConnection const&) = delete;
  BioConnection& operator=(BioConnection const&) = delete;
  ~BioConnection() {
    server.reset();
    client.reset();
    close(fds[0]);
    close(fds[1]);
  }

  // Both sides take turns until both are done; the server is told each time that the socket may hold more, as the
  // session does after epoll.
  bool handshake() {
    bool server_done = false;
    bool client_done = false;
    for (int turn = 0; turn < 100 && !(server_done && client_done); ++turn) {
      state.drained = false;
      server_done = server_done || SSL_do_handshake(server.get()) == 1;
      client_done = client_done || SSL_do_handshake(client.get()) == 1;
    }
    return server_done && client_done;
  }

  // All the application data the client can read now.
  std::string client_reads() {
    std::string got;
    char buffer[65536];
    std::size_t bytes = 0;
    while (SSL_read_ex(client.get(), buffer, sizeof buffer, &bytes) == 1) got.append(buffer, bytes);
    return got;
  }

  // Writes all of `text` as records of at most 16 KiB, letting the client read whenever the socket is full.
  std::string server_writes_while_client_reads(std::string const& text) {
    std::string received;
    std::size_t offset = 0;
    for (int turn = 0; turn < 100000 && offset < text.size(); ++turn) {
      std::size_t const size = std::min<std::size_t>(text.size() - offset, 16 * 1024);
      std::size_t written = 0;
      int const result = SSL_write_ex(server.get(), text.data() + offset, size, &written);
      if (result == 1) {
        offset += written;
      } else {
        EXPECT_EQ(SSL_get_error(server.get(), result), SSL_ERROR_WANT_WRITE);
        saw_part_sent = saw_part_sent || state.records.holds_unsent();
        received += client_reads();
      }
    }
    return received + client_reads();
  }

  int fds[2] = {-1, -1};
  TlsSocketState state;
  bool saw_part_sent = false;  // a write found a record of ours cut by the socket
  std::unique_ptr<SSL, decltype(&SSL_free)> server{nullptr, SSL_free};
  std::unique_ptr<SSL_CTX, decltype(&SSL_CTX_free)> client_context{nullptr, SSL_CTX_free};
  std::unique_ptr<SSL, decltype(&SSL_free)> client{nullptr, SSL_free};
};

class TlsSocketBioTest : public ::testing::Test {
 protected:
  void SetUp() override {
    directory_ = fs::temp_directory_path() / ("wshub_tls_socket_bio_test_" + std::to_string(getpid()));
    fs::create_directories(directory_);
    auto const pair = testing::write_pair(directory_, "server");
    context_ = std::make_unique<TlsContext>(TlsOptions{.cert_file = pair.cert, .key_file = pair.key});
    connection_ = std::make_unique<BioConnection>(*context_);
  }
  void TearDown() override {
    connection_.reset();
    fs::remove_all(directory_);
  }

  fs::path directory_;
  std::unique_ptr<TlsContext> context_;
  std::unique_ptr<BioConnection> connection_;
};

std::string numbered_messages(int count) {
  std::string text;
  for (int message = 0; message < count; ++message) text += "message " + std::to_string(message) + "\n";
  return text;
}

class TlsSocketBioSuiteTest : public TlsSocketBioTest, public ::testing::WithParamInterface<char const*> {};

TEST_P(TlsSocketBioSuiteTest, TheBioSealsTls13RecordsAndTheClientOpensEachInOrder) {
  ASSERT_EQ(SSL_set_ciphersuites(connection_->client.get(), GetParam()), 1);
  ASSERT_TRUE(connection_->handshake());
  EXPECT_TRUE(connection_->state.records.sealing());
  EXPECT_STREQ(SSL_CIPHER_standard_name(SSL_get_current_cipher(connection_->client.get())), GetParam());
  std::string received;
  for (int message = 0; message < 300; ++message) {
    std::string const text = "message " + std::to_string(message) + "\n";
    ASSERT_EQ(SSL_write(connection_->server.get(), text.data(), static_cast<int>(text.size())),
              static_cast<int>(text.size()));
    received += connection_->client_reads();
  }
  EXPECT_TRUE(received == numbered_messages(300)) << received.size() << " bytes received";
  // The session ticket went out in a record of ours too, and the client resumes with it.
  std::unique_ptr<SSL_SESSION, decltype(&SSL_SESSION_free)> session(SSL_get1_session(connection_->client.get()),
                                                                    SSL_SESSION_free);
  ASSERT_NE(session, nullptr);
  BioConnection next(*context_);
  ASSERT_EQ(SSL_set_ciphersuites(next.client.get(), GetParam()), 1);
  ASSERT_EQ(SSL_set_session(next.client.get(), session.get()), 1);
  ASSERT_TRUE(next.handshake());
  EXPECT_EQ(SSL_session_reused(next.client.get()), 1);
}

// Each request is answered with a KeyUpdate of the server's, sealed here under the keys it leaves; what follows is
// sealed by OpenSSL under the next keys, and the client opens all of it.
TEST_P(TlsSocketBioSuiteTest, APeerThatAsksForKeyUpdatesIsAnsweredAndOpensWhatFollows) {
  ASSERT_EQ(SSL_set_ciphersuites(connection_->client.get(), GetParam()), 1);
  int key_updates_received = 0;
  testing::count_key_updates(connection_->client.get(), &key_updates_received);
  ASSERT_TRUE(connection_->handshake());
  ASSERT_TRUE(connection_->state.records.sealing());
  for (int round = 1; round <= 3; ++round) {
    ASSERT_EQ(SSL_key_update(connection_->client.get(), SSL_KEY_UPDATE_REQUESTED), 1);
    ASSERT_EQ(SSL_write(connection_->client.get(), "x", 1), 1);
    char byte = 0;
    connection_->state.drained = false;
    EXPECT_EQ(SSL_read(connection_->server.get(), &byte, 1), 1);
    std::string const text = "after " + std::to_string(round);
    EXPECT_EQ(SSL_write(connection_->server.get(), text.data(), static_cast<int>(text.size())),
              static_cast<int>(text.size()));
    EXPECT_EQ(connection_->client_reads(), text);
    EXPECT_EQ(key_updates_received, round);
    // The first KeyUpdate gave the keys back: OpenSSL seals this record and every later one.
    EXPECT_FALSE(connection_->state.records.sealing());
  }
}

INSTANTIATE_TEST_SUITE_P(Tls13Suites, TlsSocketBioSuiteTest,
                         ::testing::Values("TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384",
                                           "TLS_CHACHA20_POLY1305_SHA256"));

TEST_F(TlsSocketBioTest, Tls12RecordsAreLeftToOpenSsl) {
  SSL_set_max_proto_version(connection_->client.get(), TLS1_2_VERSION);
  ASSERT_TRUE(connection_->handshake());
  EXPECT_FALSE(connection_->state.records.sealing());
  // Compared whole, not printed whole: a failure names the sizes.
  std::string const received = connection_->server_writes_while_client_reads(numbered_messages(100));
  EXPECT_TRUE(received == numbered_messages(100)) << received.size() << " bytes received";
}

TEST_F(TlsSocketBioTest, ARecordTheSocketTookPartOfGoesOutWholeBeforeTheNext) {
  int const send_buffer = 4096;  // the kernel doubles it: well under one 16 KiB record
  setsockopt(connection_->fds[0], SOL_SOCKET, SO_SNDBUF, &send_buffer, sizeof send_buffer);
  ASSERT_TRUE(connection_->handshake());
  ASSERT_TRUE(connection_->state.records.sealing());
  std::string const text = numbered_messages(20000);  // about 230 KB: many records, each cut by the socket
  std::string const received = connection_->server_writes_while_client_reads(text);
  EXPECT_TRUE(received == text) << received.size() << " of " << text.size() << " bytes received";
  EXPECT_TRUE(connection_->saw_part_sent);
  EXPECT_FALSE(connection_->state.records.holds_unsent());
}

TEST_F(TlsSocketBioTest, CloseNotifyIsSealedAsAnAlert) {
  ASSERT_TRUE(connection_->handshake());
  ASSERT_TRUE(connection_->state.records.sealing());
  EXPECT_EQ(SSL_shutdown(connection_->server.get()), 0);  // sent, the client's not yet read
  char byte = 0;
  int const result = SSL_read(connection_->client.get(), &byte, 1);
  EXPECT_EQ(result, 0);
  EXPECT_EQ(SSL_get_error(connection_->client.get(), result), SSL_ERROR_ZERO_RETURN);
}

// One cipher context per thread serves connections of every cipher: each record is keyed for its own.
TEST_F(TlsSocketBioTest, ConnectionsOfDifferentCiphersTakeTurnsOnOneThread) {
  BioConnection chacha(*context_);
  ASSERT_EQ(SSL_set_ciphersuites(connection_->client.get(), "TLS_AES_256_GCM_SHA384"), 1);
  ASSERT_EQ(SSL_set_ciphersuites(chacha.client.get(), "TLS_CHACHA20_POLY1305_SHA256"), 1);
  ASSERT_TRUE(connection_->handshake());
  ASSERT_TRUE(chacha.handshake());
  std::string aes_received;
  std::string chacha_received;
  for (int message = 0; message < 100; ++message) {
    std::string const text = "message " + std::to_string(message) + "\n";
    ASSERT_EQ(SSL_write(connection_->server.get(), text.data(), static_cast<int>(text.size())),
              static_cast<int>(text.size()));
    ASSERT_EQ(SSL_write(chacha.server.get(), text.data(), static_cast<int>(text.size())),
              static_cast<int>(text.size()));
    aes_received += connection_->client_reads();
    chacha_received += chacha.client_reads();
  }
  EXPECT_TRUE(aes_received == numbered_messages(100)) << aes_received.size() << " bytes received";
  EXPECT_TRUE(chacha_received == numbered_messages(100)) << chacha_received.size() << " bytes received";
}

}  // namespace
}  // namespace wshub
