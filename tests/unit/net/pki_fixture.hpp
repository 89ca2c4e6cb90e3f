#pragma once
/// A throwaway PKI generated with the OpenSSL API for loopback TLS tests: one CA and leaf
/// certificates signed by it, written as PEM files to a private temp directory that is
/// removed when the object is destroyed.

#include <chrono>
#include <string>

namespace flywatch::testing {

/// A leaf certificate and its private key on disk.
struct TestLeaf {
  std::string cert_file;
  std::string key_file;
  std::chrono::system_clock::time_point not_after;  ///< exactly what was written, to the second
};

/// The CA and the leaves every TLS test needs. EC P-256 keys, SHA-256 signatures.
class TestPki {
 public:
  /// Generates everything into a fresh directory under $TMPDIR (or /tmp). Throws on failure.
  TestPki();
  ~TestPki();
  TestPki(const TestPki&) = delete;
  TestPki& operator=(const TestPki&) = delete;

  std::string dir;
  std::string ca_file;   ///< the CA certificate (PEM), usable as ProbeSpec::ca_file
  TestLeaf good;         ///< SAN DNS:localhost, IP:127.0.0.1, IP:::1; valid for 30 days
  TestLeaf wrong_host;   ///< SAN DNS:wrong.example only
  TestLeaf expired;      ///< same names as `good`, but notAfter was yesterday
  /// Same names as `good`, signed by an intermediate CA; cert_file holds leaf + intermediate.
  TestLeaf chained;
  /// The intermediate expires (in 10 days) before `chained` itself (30 days).
  std::chrono::system_clock::time_point intermediate_not_after;
};

/// One PKI per test process (key generation is cheap, but there is no need to repeat it).
const TestPki& test_pki();

}  // namespace flywatch::testing
