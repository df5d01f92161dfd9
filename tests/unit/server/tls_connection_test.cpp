// TlsConnection on a socket pair whose send buffer is small: what a write that blocks leaves OpenSSL holding.
#include "server/tls_connection.hpp"

#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <memory>
#include <string>

#include <gtest/gtest.h>
#include <openssl/ssl.h>
#include <boost/asio/error.hpp>

#include "key_update_count.hpp"
#include "socket_filler.hpp"
#include "test_certificate.hpp"

namespace wshub {
namespace {

namespace fs = std::filesystem;

class TlsConnectionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    directory_ = fs::temp_directory_path() / ("wshub_tls_connection_test_" + std::to_string(getpid()));
    fs::create_directories(directory_);
    auto const pair = testing::write_pair(directory_, "server");
    context_ = std::make_unique<TlsContext>(TlsOptions{.cert_file = pair.cert, .key_file = pair.key});
    ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, fds_), 0);
    int const send_buffer = 4096;  // the kernel doubles it: well under one 16 KiB record
    setsockopt(fds_[0], SOL_SOCKET, SO_SNDBUF, &send_buffer, sizeof send_buffer);
    server_ = std::make_unique<TlsConnection>(*context_, fds_[0]);
    client_context_.reset(SSL_CTX_new(TLS_client_method()));
    client_.reset(SSL_new(client_context_.get()));
    SSL_set_fd(client_.get(), fds_[1]);
    SSL_set_connect_state(client_.get());
  }
  void TearDown() override {
    server_.reset();
    close(fds_[0]);
    close(fds_[1]);
    fs::remove_all(directory_);
  }

  // Both sides take turns until both are done.
  bool handshake() {
    bool server_done = false;
    bool client_done = false;
    for (int turn = 0; turn < 100 && !(server_done && client_done); ++turn) {
      error_code error;
      if (!server_done) server_->handshake(error);
      server_done = server_done || !error;
      client_done = client_done || SSL_do_handshake(client_.get()) == 1;
    }
    return server_done && client_done;
  }

  // Writes `bytes` again and again, as to a client that stopped reading, until a write would block.
  error_code write_until_blocked(std::string const& bytes) {
    error_code error;
    for (int write = 0; write < 100000 && !error; ++write) server_->write(bytes, error);
    return error;
  }

  // Tries `bytes` until a write takes them, the client reading between tries; a try that blocks has them all in its
  // record.
  std::size_t retry_until_written(std::string const& bytes) {
    error_code error;
    std::size_t written = 0;
    for (int retry = 0; retry < 100 && written == 0; ++retry) {
      written = server_->write(bytes, error);
      if (error == asio::error::would_block) {
        EXPECT_EQ(server_->committed_write_bytes(), bytes.size());
      }
      client_reads_all();
    }
    return written;
  }

  // Everything the client can read now, so that the socket has room again.
  std::string client_reads_all() {
    char buffer[65536];
    std::size_t bytes = 0;
    std::string received;
    while (SSL_read_ex(client_.get(), buffer, sizeof buffer, &bytes) == 1) received.append(buffer, bytes);
    return received;
  }

  // The client asks for a KeyUpdate and sends a byte, which the server reads: OpenSSL now owes the client a KeyUpdate.
  void client_asks_for_a_key_update() {
    ASSERT_EQ(SSL_key_update(client_.get(), SSL_KEY_UPDATE_REQUESTED), 1);
    ASSERT_EQ(SSL_write(client_.get(), "x", 1), 1);
    char byte = 0;
    error_code error;
    EXPECT_EQ(server_->read({&byte, 1}, error), 1u);
    EXPECT_EQ(byte, 'x');
  }

  fs::path directory_;
  std::unique_ptr<TlsContext> context_;
  int fds_[2] = {-1, -1};
  std::unique_ptr<TlsConnection> server_;
  std::unique_ptr<SSL_CTX, decltype(&SSL_CTX_free)> client_context_{nullptr, SSL_CTX_free};
  std::unique_ptr<SSL, decltype(&SSL_free)> client_{nullptr, SSL_free};
};

// TLS 1.2, where OpenSSL makes the records.
TEST_F(TlsConnectionTest, AWriteThatBlocksCommitsAllItWasGivenAndARetryGivenMoreCommitsThatToo) {
  SSL_set_max_proto_version(client_.get(), TLS1_2_VERSION);
  ASSERT_TRUE(handshake());
  std::string const small(100, 's');
  ASSERT_EQ(write_until_blocked(small), asio::error::would_block);
  EXPECT_EQ(server_->committed_write_bytes(), small.size());
  error_code error;

  // Room for the held record, not for a whole new one: the retry sends the first and blocks on the second, which
  // holds the rest of what the retry was given.
  client_reads_all();
  std::string const large(TlsConnection::max_record_bytes, 'l');
  server_->write(large, error);
  ASSERT_EQ(error, asio::error::would_block);
  EXPECT_EQ(server_->committed_write_bytes(), large.size());

  client_reads_all();
  EXPECT_EQ(retry_until_written(large), large.size());
  EXPECT_EQ(server_->committed_write_bytes(), 0u);
}

// TLS 1.3, where the records are ours: a retry given more sends the held record alone, and says so.
TEST_F(TlsConnectionTest, AWriteThatBlocksCommitsItsRecordAndARetryGivenMoreSendsThatRecordFirst) {
  ASSERT_TRUE(handshake());
  std::string const small(100, 's');
  ASSERT_EQ(write_until_blocked(small), asio::error::would_block);
  EXPECT_EQ(server_->committed_write_bytes(), small.size());
  error_code error;

  client_reads_all();
  std::string const large(TlsConnection::max_record_bytes, 'l');
  EXPECT_EQ(server_->write(large, error), small.size());
  EXPECT_FALSE(error);
  EXPECT_EQ(server_->committed_write_bytes(), 0u);

  EXPECT_EQ(retry_until_written(large), large.size());
  EXPECT_EQ(server_->committed_write_bytes(), 0u);
}

// OpenSSL 3.0 notes a peer's request for a KeyUpdate in SSL_read and answers it in SSL_write, which our records
// skip: the next write after the request goes through OpenSSL and sends the KeyUpdate, and from then on OpenSSL seals
// every record under the next keys.
TEST_F(TlsConnectionTest, APeerThatAsksForAKeyUpdateIsAnsweredBeforeTheNextWrite) {
  int key_updates_received = 0;
  testing::count_key_updates(client_.get(), &key_updates_received);
  ASSERT_TRUE(handshake());
  client_asks_for_a_key_update();
  error_code error;
  EXPECT_EQ(server_->write(std::string_view("after"), error), 5u);
  EXPECT_FALSE(error);
  EXPECT_EQ(server_->write(std::string_view(" and more"), error), 9u);
  EXPECT_EQ(client_reads_all(), "after and more");
  EXPECT_EQ(key_updates_received, 1);
}

// The KeyUpdate meets a full socket and waits in the BIO, sealed under the old keys; the session's retry finishes it,
// even one shorter than the KeyUpdate (an empty pong), and OpenSSL seals what follows under the next keys.
TEST_F(TlsConnectionTest, AKeyUpdateTheSocketHadNoRoomForIsFinishedByTheRetry) {
  int key_updates_received = 0;
  testing::count_key_updates(client_.get(), &key_updates_received);
  ASSERT_TRUE(handshake());
  client_asks_for_a_key_update();
  client_reads_all();  // the session ticket: the filler must come first in what the client has not read
  std::size_t const filler = testing::fill_socket(fds_[0]);
  std::string const pong("\x8a\x00", 2);
  error_code error;
  EXPECT_EQ(server_->write(pong, error), 0u);
  EXPECT_EQ(error, asio::error::would_block);
  ASSERT_TRUE(testing::drain_filler(fds_[1], filler));
  EXPECT_EQ(server_->write(pong, error), pong.size());
  EXPECT_FALSE(error) << error.message();
  EXPECT_EQ(server_->write(std::string_view("after"), error), 5u);
  EXPECT_EQ(client_reads_all(), pong + "after");
  EXPECT_EQ(key_updates_received, 1);
}

}  // namespace
}  // namespace wshub
