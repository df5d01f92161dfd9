// TlsContext: a good pair loads; a missing file, a file that is not PEM and a key of another certificate are refused
// with the setting named. TicketKeys: a ticket resumes under the key that sealed it and the one after, not later.
#include "server/tls_context.hpp"

#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>

#include <gtest/gtest.h>
#include <openssl/ssl.h>

#include "test_certificate.hpp"

namespace wshub {
namespace {

namespace fs = std::filesystem;
using testing::Pair;
using testing::write_pair;

class TlsContextTest : public ::testing::Test {
 protected:
  void SetUp() override {
    directory_ = fs::temp_directory_path() /
                 ("wshub_tls_context_test_" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) + "_" +
                  ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(directory_);
    good_ = write_pair(directory_, "good");
    other_ = write_pair(directory_, "other");
  }
  void TearDown() override { fs::remove_all(directory_); }

  // The message of the TlsSetupError that loading throws, or "" if it loads.
  static std::string refusal(TlsOptions const& options) {
    try {
      TlsContext const context(options);
      return "";
    } catch (TlsSetupError const& error) {
      return error.what();
    }
  }

  fs::path directory_;
  Pair good_;
  Pair other_;
};

TEST_F(TlsContextTest, AMatchingPairLoads) {
  TlsContext const context({.cert_file = good_.cert, .key_file = good_.key});
  EXPECT_NE(context.native(), nullptr);
  EXPECT_EQ(refusal({.cert_file = good_.cert, .key_file = good_.key, .min_version = TlsVersion::v1_3}), "");
}

// Idle connections keep no buffers, and a KeyUpdate can give the write keys back to OpenSSL: only a released write
// buffer makes OpenSSL set up a new one for the records after it (server/tls_record_writer.hpp).
TEST_F(TlsContextTest, ConnectionsReleaseTheirBuffers) {
  TlsContext const context({.cert_file = good_.cert, .key_file = good_.key});
  EXPECT_NE(SSL_CTX_get_mode(context.native()) & SSL_MODE_RELEASE_BUFFERS, 0);
}

TEST_F(TlsContextTest, AKeyOfAnotherCertificateIsRefusedNamingBothSettings) {
  auto const message = refusal({.cert_file = good_.cert, .key_file = other_.key});
  EXPECT_NE(message.find("--tls-key-file/TLS_KEY_FILE"), std::string::npos) << message;
  EXPECT_NE(message.find("is not the key of --tls-cert-file/TLS_CERT_FILE"), std::string::npos) << message;
}

TEST_F(TlsContextTest, AMissingFileIsRefusedWithTheSystemsReason) {
  auto const missing = (directory_ / "missing.pem").string();
  auto const message = refusal({.cert_file = missing, .key_file = good_.key});
  EXPECT_NE(message.find("cannot read --tls-cert-file/TLS_CERT_FILE \"" + missing + "\""), std::string::npos)
      << message;
  EXPECT_NE(message.find("No such file or directory"), std::string::npos) << message;
  EXPECT_NE(refusal({.cert_file = good_.cert, .key_file = missing}).find("--tls-key-file/TLS_KEY_FILE"),
            std::string::npos);
}

TEST_F(TlsContextTest, AFileThatIsNotPemIsRefusedNamingItsSetting) {
  auto const junk = (directory_ / "junk.pem").string();
  std::FILE* file = std::fopen(junk.c_str(), "w");
  std::fputs("not a certificate\n", file);
  std::fclose(file);
  EXPECT_NE(refusal({.cert_file = junk, .key_file = good_.key}).find("as a PEM certificate chain"), std::string::npos);
  EXPECT_NE(refusal({.cert_file = good_.cert, .key_file = junk}).find("as a PEM private key"), std::string::npos);
}

using Session = std::unique_ptr<SSL_SESSION, decltype(&SSL_SESSION_free)>;

// A client and a server joined by an in-memory pipe: one handshake, and the session ticket it gave the client.
class Handshake {
 public:
  Handshake(TlsContext const& server_context, SSL_SESSION* session, int client_version)
      : client_context_(SSL_CTX_new(TLS_client_method()), SSL_CTX_free),
        client_(nullptr, SSL_free),
        server_(SSL_new(server_context.native()), SSL_free) {
    SSL_CTX_set_max_proto_version(client_context_.get(), client_version);
    // Told of each ticket as it arrives, as a browser is, rather than asking for the connection's session after.
    SSL_CTX_set_session_cache_mode(client_context_.get(), SSL_SESS_CACHE_CLIENT | SSL_SESS_CACHE_NO_INTERNAL_STORE);
    SSL_CTX_sess_set_new_cb(client_context_.get(), &Handshake::on_ticket);
    client_.reset(SSL_new(client_context_.get()));
    SSL_set_app_data(client_.get(), this);
    BIO* client_end = nullptr;
    BIO* server_end = nullptr;
    BIO_new_bio_pair(&client_end, 0, &server_end, 0);
    SSL_set_bio(client_.get(), client_end, client_end);
    SSL_set_bio(server_.get(), server_end, server_end);
    SSL_set_connect_state(client_.get());
    SSL_set_accept_state(server_.get());
    if (session != nullptr) SSL_set_session(client_.get(), session);
    // Each side moves until it waits for the other; a handshake needs a few rounds.
    for (int round = 0; round < 10 && !(completed(client_.get()) && completed(server_.get())); ++round) {
      SSL_do_handshake(client_.get());
      SSL_do_handshake(server_.get());
    }
    // TLS 1.3 sends the ticket after the handshake: the client takes it in while reading.
    char byte = 0;
    SSL_read(client_.get(), &byte, 1);
  }

  // Closed with close_notify: a connection freed without it marks its session as not to be resumed.
  ~Handshake() {
    SSL_shutdown(client_.get());
    SSL_shutdown(server_.get());
  }
  Handshake(Handshake const&) = delete;
  Handshake& operator=(Handshake const&) = delete;

  bool completed() const { return completed(client_.get()) && completed(server_.get()); }
  bool resumed() const { return SSL_session_reused(server_.get()) == 1; }
  // The session of the last ticket this handshake gave the client, or null if it gave none.
  Session ticket() const {
    if (ticket_) SSL_SESSION_up_ref(ticket_.get());
    return {ticket_.get(), SSL_SESSION_free};
  }

 private:
  static bool completed(SSL* ssl) { return SSL_is_init_finished(ssl) == 1; }
  static int on_ticket(SSL* ssl, SSL_SESSION* session) {
    static_cast<Handshake*>(SSL_get_app_data(ssl))->ticket_.reset(session);
    return 1;  // the session is ours now
  }

  std::unique_ptr<SSL_CTX, decltype(&SSL_CTX_free)> client_context_;
  std::unique_ptr<SSL, decltype(&SSL_free)> client_;
  std::unique_ptr<SSL, decltype(&SSL_free)> server_;
  Session ticket_{nullptr, SSL_SESSION_free};
};

class TicketKeysTest : public TlsContextTest, public ::testing::WithParamInterface<int> {
 protected:
  // A first handshake's ticket, then whether a second handshake with it resumed, after `between` ran.
  template <typename Between>
  bool resumes(TlsContext const& first, TlsContext const& second, Between between) {
    Handshake const full(first, nullptr, GetParam());
    EXPECT_TRUE(full.completed());
    EXPECT_FALSE(full.resumed());
    auto const ticket = full.ticket();
    EXPECT_NE(ticket, nullptr);
    between();
    Handshake const again(second, ticket.get(), GetParam());
    EXPECT_TRUE(again.completed());
    return again.resumed();
  }

  TlsOptions options() const { return {.cert_file = good_.cert, .key_file = good_.key}; }
};

TEST_P(TicketKeysTest, ATicketResumesUnderTheKeyThatSealedItAndTheNextOneButNotAfter) {
  TicketKeys keys;
  TlsContext context(options());
  context.use_ticket_keys(keys);
  EXPECT_TRUE(resumes(context, context, [] {}));
  EXPECT_TRUE(resumes(context, context, [&] { keys.rotate(); }));
  EXPECT_FALSE(resumes(context, context, [&] {
    keys.rotate();
    keys.rotate();
  }));
  EXPECT_EQ(keys.rotations(), 3u);
}

TEST_P(TicketKeysTest, AResumedConnectionLeavesTheClientATicketForTheNext) {
  TicketKeys keys;
  TlsContext context(options());
  context.use_ticket_keys(keys);
  Handshake const full(context, nullptr, GetParam());
  auto ticket = full.ticket();
  ASSERT_NE(ticket, nullptr);
  for (int resumption = 0; resumption < 3; ++resumption) {
    Handshake const again(context, ticket.get(), GetParam());
    EXPECT_TRUE(again.resumed()) << "resumption " << resumption;
    // A TLS 1.3 client should use a ticket once (RFC 8446 appendix C.4), so each resumption must give it a new one;
    // a TLS 1.2 client keeps its ticket while it resumes.
    auto fresh = again.ticket();
    if (GetParam() == TLS1_3_VERSION) {
      ASSERT_NE(fresh, nullptr) << "resumption " << resumption;
      ticket = std::move(fresh);
    }
  }
}

TEST_P(TicketKeysTest, ANewContextWithTheSameKeysResumesTicketsOfTheOldOneAndOthersDoNot) {
  TicketKeys keys;
  TicketKeys other_keys;
  TlsContext old_context(options());
  TlsContext reloaded(options());
  TlsContext stranger(options());
  old_context.use_ticket_keys(keys);
  reloaded.use_ticket_keys(keys);
  stranger.use_ticket_keys(other_keys);
  EXPECT_TRUE(resumes(old_context, reloaded, [] {}));
  EXPECT_FALSE(resumes(old_context, stranger, [] {}));
}

INSTANTIATE_TEST_SUITE_P(TlsVersions, TicketKeysTest, ::testing::Values(TLS1_2_VERSION, TLS1_3_VERSION),
                         [](auto const& info) { return info.param == TLS1_2_VERSION ? "Tls1_2" : "Tls1_3"; });

}  // namespace
}  // namespace wshub
