// The record writer behind our BIO, with keys handed over as OpenSSL hands them: every record is opened here by an
// independent reading of RFC 8446 section 5.2, and records cut by a small socket buffer go out whole and in order.
#include "server/tls_record_writer.hpp"

#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <linux/tls.h>
#include <openssl/bio.h>
#include <openssl/evp.h>

#include "server/tls_socket_bio.hpp"
#include "socket_filler.hpp"

namespace wshub {
namespace {

// OpenSSL's own controls, which this test plays OpenSSL's part in sending.
constexpr int hand_over_keys = 72;
constexpr int name_record_type = 74;
constexpr std::uint64_t first_sequence = 5;

struct RecordKeys {
  std::array<unsigned char, 16> key{};
  std::array<unsigned char, 12> iv{};
};

struct OpenedRecord {
  std::uint8_t type = 0;
  std::string plaintext;
};

class TlsRecordWriterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, fds_), 0);
    int const send_buffer = 4096;  // the kernel doubles it: well under one 16 KiB record
    setsockopt(fds_[0], SOL_SOCKET, SO_SNDBUF, &send_buffer, sizeof send_buffer);
    state_.fd = fds_[0];
    bio_ = make_tls_socket_bio(state_);
    keys_.info.version = TLS_1_3_VERSION;
    keys_.info.cipher_type = TLS_CIPHER_AES_GCM_128;
    for (std::size_t byte = 0; byte < sizeof keys_.key; ++byte) keys_.key[byte] = static_cast<unsigned char>(byte);
    std::memcpy(keys_.salt, "salt", sizeof keys_.salt);
    std::memcpy(keys_.iv, "eightivs", sizeof keys_.iv);
    keys_.rec_seq[7] = first_sequence;
    ASSERT_EQ(BIO_ctrl(bio_, hand_over_keys, 1, &keys_), 1);
  }
  void TearDown() override {
    BIO_free(bio_);
    close(fds_[0]);
    close(fds_[1]);
  }

  // What OpenSSL does for a record of its own: flush, name the type, write.
  int openssl_writes(std::uint8_t type, std::string const& plaintext) {
    if (BIO_flush(bio_) != 1) return -1;
    BIO_ctrl(bio_, name_record_type, type, nullptr);
    return BIO_write(bio_, plaintext.data(), static_cast<int>(plaintext.size()));
  }

  void read_socket() {
    char buffer[65536];
    ssize_t got = 0;
    while ((got = ::recv(fds_[1], buffer, sizeof buffer, 0)) > 0) wire_.append(buffer, static_cast<std::size_t>(got));
  }

  // The handed-over keys, as a key and the 12-byte IV the nonces start from.
  RecordKeys handed_keys() const {
    RecordKeys keys{};
    std::memcpy(keys.key.data(), keys_.key, sizeof keys_.key);
    std::memcpy(keys.iv.data(), keys_.salt, sizeof keys_.salt);
    std::memcpy(keys.iv.data() + sizeof keys_.salt, keys_.iv, sizeof keys_.iv);
    return keys;
  }

  // Every whole record read so far, opened with the keys as handed over, from first_sequence.
  std::vector<OpenedRecord> open_records() {
    read_socket();
    std::vector<OpenedRecord> opened;
    std::size_t offset = 0;
    RecordKeys const handed = handed_keys();
    while (offset + 5 <= wire_.size()) {
      auto const* header = reinterpret_cast<unsigned char const*>(wire_.data() + offset);
      EXPECT_EQ(header[0], 23);
      EXPECT_EQ(header[1], 3);
      EXPECT_EQ(header[2], 3);
      std::size_t const length = (std::size_t{header[3]} << 8) | header[4];
      if (offset + 5 + length > wire_.size()) break;
      opened.push_back(open_record(header, length, handed, first_sequence + opened.size()));
      offset += 5 + length;
    }
    return opened;
  }

  OpenedRecord open_record(unsigned char const* header, std::size_t length, RecordKeys const& keys,
                           std::uint64_t sequence) {
    auto nonce = keys.iv;
    for (int byte = 0; byte < 8; ++byte) nonce[11 - byte] ^= static_cast<unsigned char>(sequence >> (8 * byte));
    std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)> context(EVP_CIPHER_CTX_new(), EVP_CIPHER_CTX_free);
    std::vector<unsigned char> inner(length);
    int out = 0;
    int final_out = 0;
    std::vector<unsigned char> tag(header + 5 + length - 16, header + 5 + length);
    bool const opened =
        EVP_DecryptInit_ex(context.get(), EVP_aes_128_gcm(), nullptr, keys.key.data(), nonce.data()) == 1 &&
        EVP_DecryptUpdate(context.get(), nullptr, &out, header, 5) == 1 &&
        EVP_DecryptUpdate(context.get(), inner.data(), &out, header + 5, static_cast<int>(length - 16)) == 1 &&
        EVP_CIPHER_CTX_ctrl(context.get(), EVP_CTRL_GCM_SET_TAG, 16, tag.data()) == 1 &&
        EVP_DecryptFinal_ex(context.get(), inner.data() + out, &final_out) == 1;
    EXPECT_TRUE(opened) << "record " << sequence << " does not open";
    if (!opened || out == 0) return {};
    return {inner[static_cast<std::size_t>(out) - 1], std::string(inner.begin(), inner.begin() + out - 1)};
  }

  int fds_[2] = {-1, -1};
  TlsSocketState state_;
  BIO* bio_ = nullptr;
  tls12_crypto_info_aes_gcm_128 keys_{};
  std::string wire_;
};

TEST_F(TlsRecordWriterTest, RecordsOpenWithTheKeysAsHandedOverAndCarryTheirTypes) {
  ASSERT_TRUE(state_.records.sealing());
  EXPECT_EQ(openssl_writes(22, "a ticket"), 8);
  EXPECT_EQ(state_.records.write(fds_[0], std::string("hello")).result, TlsRecordWriter::Result::sent);
  auto const opened = open_records();
  ASSERT_EQ(opened.size(), 2u);
  EXPECT_EQ(opened[0].type, 22);
  EXPECT_EQ(opened[0].plaintext, "a ticket");
  EXPECT_EQ(opened[1].type, 23);
  EXPECT_EQ(opened[1].plaintext, "hello");
}

TEST_F(TlsRecordWriterTest, ARecordOfOpenSslsCutByTheSocketIsFinishedByItsRetryAfterAFlush) {
  std::string const ticket(16 * 1024, 't');
  EXPECT_LE(openssl_writes(22, ticket), 0);
  EXPECT_TRUE(BIO_should_retry(bio_));
  ASSERT_TRUE(state_.records.holds_unsent());
  std::size_t written = 0;
  for (int retry = 0; retry < 100 && written == 0; ++retry) {
    read_socket();
    int const result = openssl_writes(22, ticket);  // OpenSSL names the type again before its retry
    written = result > 0 ? static_cast<std::size_t>(result) : 0;
  }
  EXPECT_EQ(written, ticket.size());
  EXPECT_EQ(state_.records.write(fds_[0], std::string("after")).result, TlsRecordWriter::Result::sent);
  auto const opened = open_records();
  ASSERT_EQ(opened.size(), 2u);
  EXPECT_EQ(opened[0].type, 22);
  EXPECT_TRUE(opened[0].plaintext == ticket);
  EXPECT_EQ(opened[1].type, 23);
  EXPECT_EQ(opened[1].plaintext, "after");
}

TEST_F(TlsRecordWriterTest, OpenSslWaitsWhileARecordOfOursIsPartSentAndOurRetryFinishesIt) {
  std::string const message(16 * 1024, 'm');
  EXPECT_EQ(state_.records.write(fds_[0], message).result, TlsRecordWriter::Result::would_block);
  EXPECT_EQ(BIO_flush(bio_), 0);
  EXPECT_TRUE(BIO_should_retry(bio_));
  TlsRecordWriter::Outcome outcome{TlsRecordWriter::Result::would_block};
  for (int retry = 0; retry < 100 && outcome.result == TlsRecordWriter::Result::would_block; ++retry) {
    read_socket();
    outcome = state_.records.write(fds_[0], message + "and more");
  }
  EXPECT_EQ(outcome.result, TlsRecordWriter::Result::sent);
  EXPECT_EQ(outcome.written, message.size());
  EXPECT_EQ(openssl_writes(21, std::string("\x01\x00", 2)), 2);  // close_notify, once ours has gone
  auto const opened = open_records();
  ASSERT_EQ(opened.size(), 2u);
  EXPECT_TRUE(opened[0].plaintext == message);
  EXPECT_EQ(opened[1].type, 21);
}

// The KeyUpdate goes under the keys it leaves, even when the socket had no room for it and OpenSSL's retry sent it;
// then the keys are OpenSSL's again (it derives the next ones itself), and its records pass through as it made them.
TEST_F(TlsRecordWriterTest, AKeyUpdateHeldByAFullSocketGoesOutWholeAndGivesTheKeysBack) {
  std::size_t const filler = testing::fill_socket(fds_[0]);
  std::string const key_update("\x18\x00\x00\x01\x00", 5);  // KeyUpdate, update_not_requested
  EXPECT_LE(openssl_writes(22, key_update), 0);
  ASSERT_TRUE(state_.records.holds_unsent());
  EXPECT_FALSE(state_.records.sealing());
  EXPECT_EQ(BIO_ctrl(bio_, BIO_CTRL_GET_KTLS_SEND, 0, nullptr), 0);
  read_socket();
  ASSERT_GE(wire_.size(), filler);
  wire_.erase(0, filler);
  // OpenSSL's retry, which with the keys given back neither flushes nor names the type first.
  EXPECT_EQ(BIO_write(bio_, key_update.data(), static_cast<int>(key_update.size())), 5);
  auto const opened = open_records();
  ASSERT_EQ(opened.size(), 1u);
  EXPECT_EQ(opened[0].type, 22);
  EXPECT_EQ(opened[0].plaintext, key_update);
  std::string const sealed_by_openssl("\x17\x03\x03\x00\x03xyz", 8);
  std::size_t const before = wire_.size();
  EXPECT_EQ(BIO_write(bio_, sealed_by_openssl.data(), static_cast<int>(sealed_by_openssl.size())), 8);
  read_socket();
  EXPECT_EQ(wire_.substr(before), sealed_by_openssl);
}

}  // namespace
}  // namespace wshub
