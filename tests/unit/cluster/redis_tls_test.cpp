// Tests TLS to Redis short of a verified session (the e2e tests have those, with certificates of their own): the
// settings' files refused naming their setting, a peer that does not speak TLS reported as a refusal, and a
// handshake that stalls held to the reply deadline.
#include "cluster/redis_tls.hpp"

#include <chrono>
#include <fstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <openssl/ssl.h>
#include <boost/asio/buffer.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>

#include "cluster/redis_connection.hpp"
#include "redis_fixture.hpp"

namespace wshub {
namespace {

using std::chrono::milliseconds;

// What the context says of the settings: empty if it took them.
std::string refusal_of(RedisTlsOptions const& options) {
  try {
    RedisTlsContext const context(options);
    return {};
  } catch (RedisTlsError const& error) {
    return error.what();
  }
}

std::string file_holding(std::string const& name, std::string const& text) {
  auto const path = ::testing::TempDir() + name;
  std::ofstream(path) << text;
  return path;
}

TEST(RedisTlsContext, AFileThatCannotBeReadIsRefusedNamingItsSettingAndWhy) {
  EXPECT_EQ(refusal_of({.ca_file = "/nonexistent/ca.pem"}),
            "--redis-tls-ca-file / REDIS_TLS_CA_FILE \"/nonexistent/ca.pem\": cannot be read (No such file or "
            "directory)");
  EXPECT_EQ(refusal_of({.ca_file = "/"}),
            "--redis-tls-ca-file / REDIS_TLS_CA_FILE \"/\": cannot be read (Is a directory)");
  EXPECT_EQ(refusal_of({.cert_file = "/nonexistent/node.crt", .key_file = "/nonexistent/node.key"}),
            "--redis-tls-cert-file / REDIS_TLS_CERT_FILE \"/nonexistent/node.crt\": cannot be read (No such file or "
            "directory)");
}

TEST(RedisTlsContext, AFileWithoutPemInItIsRefusedNamingItsSetting) {
  auto const not_pem = file_holding("not.pem", "not a certificate\n");
  EXPECT_TRUE(
      refusal_of({.ca_file = not_pem})
          .starts_with("--redis-tls-ca-file / REDIS_TLS_CA_FILE \"" + not_pem + "\": holds no PEM CA certificate"));
  EXPECT_TRUE(
      refusal_of({.cert_file = not_pem, .key_file = not_pem})
          .starts_with("--redis-tls-cert-file / REDIS_TLS_CERT_FILE \"" + not_pem + "\": holds no PEM certificate"));
}

TEST(RedisTlsContext, VerifiesThePeerUnlessInsecure) {
  RedisTlsContext verifying(RedisTlsOptions{});
  EXPECT_TRUE(verifying.verifies_peer());
  EXPECT_EQ(SSL_CTX_get_verify_mode(verifying.context().native_handle()), SSL_VERIFY_PEER);
  RedisTlsContext insecure(RedisTlsOptions{.insecure = true});
  EXPECT_FALSE(insecure.verifies_peer());
  EXPECT_EQ(SSL_CTX_get_verify_mode(insecure.context().native_handle()), SSL_VERIFY_NONE);
}

class RedisTlsConnectionTest : public testing::RedisFixture {
 protected:
  void start(std::uint16_t port) {
    connection_.emplace(
        context_.get_executor(), RedisEndpoint{.host = "127.0.0.1", .port = port, .tls = true},
        RedisConnectionOptions{.reply_timeout = reply_timeout,
                               .tls = std::make_shared<RedisTlsContext>(RedisTlsOptions{})},
        RedisConnection::Events{.on_up = [this] { ++ups_; },
                                .on_down = [this](auto const& why) { downs_.push_back(why); },
                                .on_refused = [this](auto const& refusal) { refusals_.push_back(refusal); }});
    connection_->start("test");
  }

  static constexpr auto reply_timeout = milliseconds(200);
  tcp::acceptor peer_{context_, {asio::ip::make_address("127.0.0.1"), 0}};
  int ups_ = 0;
  std::vector<std::string> downs_;
  std::vector<RedisRefusal> refusals_;
};

TEST_F(RedisTlsConnectionTest, APeerThatAnswersWithoutTlsIsARefusalNotAnOutage) {
  // What a plain Redis answers a line it cannot read.
  tcp::socket accepted(context_);
  std::string const plain_error = "-ERR unknown command\r\n";
  peer_.async_accept(accepted,
                     [&](error_code) { asio::async_write(accepted, asio::buffer(plain_error), [](auto...) {}); });
  start(peer_.local_endpoint().port());
  run_until([this] { return !refusals_.empty() && !downs_.empty(); });
  EXPECT_EQ(ups_, 0);
  EXPECT_EQ(refusals_.front().cause, RedisRefusal::Cause::tls);
  EXPECT_NE(refusals_.front().reason.find("wrong version number"), std::string::npos) << refusals_.front().reason;
  EXPECT_NE(downs_.front().find("TLS to Redis failed"), std::string::npos) << downs_.front();
}

TEST_F(RedisTlsConnectionTest, AHandshakeThatStallsIsHeldToTheReplyDeadlineAndIsAnOutage) {
  // The listen backlog completes the TCP handshake; nothing answers the TLS one.
  auto const started = std::chrono::steady_clock::now();
  start(peer_.local_endpoint().port());
  run_until([this] { return !downs_.empty(); });
  EXPECT_GE(std::chrono::steady_clock::now() - started, reply_timeout);
  EXPECT_NE(downs_.front().find("no TLS handshake within 200 ms"), std::string::npos) << downs_.front();
  EXPECT_TRUE(refusals_.empty());
  EXPECT_EQ(ups_, 0);
}

}  // namespace
}  // namespace wshub
