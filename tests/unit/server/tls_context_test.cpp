// TlsContext: a good pair loads; a missing file, a file that is not PEM and a key of another certificate are refused
// with the setting named.
#include "server/tls_context.hpp"

#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

namespace wshub {
namespace {

namespace fs = std::filesystem;

struct Pair {
  std::string cert;
  std::string key;
};

// A P-256 key and a self-signed certificate for localhost, written as PEM files.
Pair write_pair(fs::path const& directory, std::string const& name) {
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(EVP_EC_gen("P-256"), EVP_PKEY_free);
  std::unique_ptr<X509, decltype(&X509_free)> cert(X509_new(), X509_free);
  X509_set_version(cert.get(), 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), 1);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), 0);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 3600);
  X509_set_pubkey(cert.get(), key.get());
  auto* subject = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(subject, "CN", MBSTRING_ASC, reinterpret_cast<unsigned char const*>("localhost"), -1, -1,
                             0);
  X509_set_issuer_name(cert.get(), subject);
  X509_sign(cert.get(), key.get(), EVP_sha256());
  Pair pair{(directory / (name + ".pem")).string(), (directory / (name + ".key")).string()};
  std::FILE* cert_file = std::fopen(pair.cert.c_str(), "w");
  PEM_write_X509(cert_file, cert.get());
  std::fclose(cert_file);
  std::FILE* key_file = std::fopen(pair.key.c_str(), "w");
  PEM_write_PrivateKey(key_file, key.get(), nullptr, nullptr, 0, nullptr, nullptr);
  std::fclose(key_file);
  return pair;
}

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

}  // namespace
}  // namespace wshub
