// A key and a self-signed certificate for the TLS unit tests, written as PEM files.
#pragma once

#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

namespace wshub::testing {

struct Pair {
  std::string cert;
  std::string key;
};

// A P-256 key and a self-signed certificate for localhost, written as PEM files.
inline Pair write_pair(std::filesystem::path const& directory, std::string const& name) {
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

}  // namespace wshub::testing
