#include "pki_fixture.hpp"

#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <utility>
#include <vector>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

namespace flywatch::testing {
namespace {

struct KeyFree {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
struct CertFree {
  void operator()(X509* c) const { X509_free(c); }
};
struct FileClose {
  void operator()(FILE* f) const { std::fclose(f); }
};
using Key = std::unique_ptr<EVP_PKEY, KeyFree>;
using Cert = std::unique_ptr<X509, CertFree>;

void check(bool ok, const char* what) {
  if (!ok) throw std::runtime_error(std::string("test PKI: ") + what + " failed");
}

Key make_key() {
  Key key(EVP_EC_gen("P-256"));
  check(key != nullptr, "EVP_EC_gen");
  return key;
}

void add_ext(X509* cert, X509* issuer, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
  check(ext != nullptr, "X509V3_EXT_conf_nid");
  check(X509_add_ext(cert, ext, -1) == 1, "X509_add_ext");
  X509_EXTENSION_free(ext);
}

using Extensions = std::vector<std::pair<int, const char*>>;

// Builds a certificate for `key` valid over [not_before, not_after] with `extensions`, signed
// by `issuer_key` (self-signed when `issuer` is null).
Cert make_cert(EVP_PKEY* key, const char* common_name, std::time_t not_before,
               std::time_t not_after, X509* issuer, EVP_PKEY* issuer_key, long serial,
               const Extensions& extensions) {
  Cert cert(X509_new());
  check(cert != nullptr, "X509_new");
  X509* c = cert.get();
  check(X509_set_version(c, 2) == 1, "X509_set_version");
  check(ASN1_INTEGER_set(X509_get_serialNumber(c), serial) == 1, "serial");
  check(ASN1_TIME_set(X509_getm_notBefore(c), not_before) != nullptr, "notBefore");
  check(ASN1_TIME_set(X509_getm_notAfter(c), not_after) != nullptr, "notAfter");
  check(X509_set_pubkey(c, key) == 1, "X509_set_pubkey");
  X509_NAME* name = X509_get_subject_name(c);
  check(X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                                   reinterpret_cast<const unsigned char*>(common_name), -1, -1,
                                   0) == 1,
        "CN");
  X509* signer = issuer != nullptr ? issuer : c;
  check(X509_set_issuer_name(c, X509_get_subject_name(signer)) == 1, "issuer");
  add_ext(c, signer, NID_subject_key_identifier, "hash");
  add_ext(c, signer, NID_authority_key_identifier, "keyid:always");
  for (const auto& [nid, value] : extensions) add_ext(c, signer, nid, value);
  check(X509_sign(c, issuer_key != nullptr ? issuer_key : key, EVP_sha256()) > 0, "X509_sign");
  return cert;
}

void write_cert(const std::string& path, X509* cert, const char* mode = "w") {
  std::unique_ptr<FILE, FileClose> f(std::fopen(path.c_str(), mode));
  check(f != nullptr, "fopen");
  check(PEM_write_X509(f.get(), cert) == 1, "PEM_write_X509");
}

void write_key(const std::string& path, EVP_PKEY* key) {
  std::unique_ptr<FILE, FileClose> f(std::fopen(path.c_str(), "w"));
  check(f != nullptr, "fopen");
  check(PEM_write_PrivateKey(f.get(), key, nullptr, nullptr, 0, nullptr, nullptr) == 1,
        "PEM_write_PrivateKey");
}

// Signs a leaf for `san` and writes it as <dir>/<stem>.pem and <dir>/<stem>.key.
TestLeaf make_leaf(const std::string& dir, const char* stem, const char* san,
                   std::time_t not_before, std::time_t not_after, X509* ca, EVP_PKEY* ca_key,
                   long serial) {
  Key key = make_key();
  Cert cert = make_cert(key.get(), stem, not_before, not_after, ca, ca_key, serial,
                        {{NID_basic_constraints, "critical,CA:FALSE"},
                         {NID_ext_key_usage, "serverAuth"},
                         {NID_subject_alt_name, san}});
  TestLeaf leaf;
  leaf.cert_file = dir + "/" + stem + ".pem";
  leaf.key_file = dir + "/" + stem + ".key";
  leaf.not_after = std::chrono::system_clock::from_time_t(not_after);
  write_cert(leaf.cert_file, cert.get());
  write_key(leaf.key_file, key.get());
  return leaf;
}

}  // namespace

TestPki::TestPki() {
  const char* tmp = std::getenv("TMPDIR");
  std::string pattern = std::string(tmp != nullptr && *tmp != '\0' ? tmp : "/tmp") +
                        "/flywatch-test-pki-XXXXXX";
  check(mkdtemp(pattern.data()) != nullptr, "mkdtemp");
  dir = pattern;

  const std::time_t now = std::time(nullptr);
  constexpr std::time_t day = 24 * 60 * 60;
  Key ca_key = make_key();
  Cert ca = make_cert(ca_key.get(), "flywatch test CA", now - day, now + 365 * day, nullptr,
                      nullptr, 1,
                      {{NID_basic_constraints, "critical,CA:TRUE"},
                       {NID_key_usage, "critical,keyCertSign,cRLSign"}});
  ca_file = dir + "/ca.pem";
  write_cert(ca_file, ca.get());

  const char* loopback = "DNS:localhost,IP:127.0.0.1,IP:::1";
  good = make_leaf(dir, "good", loopback, now - day, now + 30 * day, ca.get(), ca_key.get(), 2);
  wrong_host = make_leaf(dir, "wrong", "DNS:wrong.example", now - day, now + 30 * day, ca.get(),
                         ca_key.get(), 3);
  expired = make_leaf(dir, "expired", loopback, now - 3 * day, now - day, ca.get(),
                      ca_key.get(), 4);

  Key intermediate_key = make_key();
  const std::time_t intermediate_end = now + 10 * day;
  Cert intermediate = make_cert(intermediate_key.get(), "flywatch test intermediate", now - day,
                                intermediate_end, ca.get(), ca_key.get(), 5,
                                {{NID_basic_constraints, "critical,CA:TRUE,pathlen:0"},
                                 {NID_key_usage, "critical,keyCertSign,cRLSign"}});
  intermediate_not_after = std::chrono::system_clock::from_time_t(intermediate_end);
  chained = make_leaf(dir, "chained", loopback, now - day, now + 30 * day, intermediate.get(),
                      intermediate_key.get(), 6);
  write_cert(chained.cert_file, intermediate.get(), "a");
}

TestPki::~TestPki() {
  std::error_code ignored;
  std::filesystem::remove_all(dir, ignored);
}

const TestPki& test_pki() {
  static const TestPki pki;
  return pki;
}

}  // namespace flywatch::testing
