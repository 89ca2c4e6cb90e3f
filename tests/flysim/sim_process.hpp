#pragma once
/// Test helpers: runs the real flysim binary on a loopback port and talks HTTP/1.1 (plain or
/// TLS) to it with a blocking Beast client. The process is killed (SIGTERM, then reaped) when the
/// object dies. Also: temporary directories, throwaway certificates, free loopback ports.

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include <sys/types.h>

namespace flywatch::flysim::testing {

/// Header name/value pairs, in order.
using Headers = std::vector<std::pair<std::string, std::string>>;

struct HttpReply {
  int status = 0;
  std::string body;
  Headers headers;  ///< as received
  /// The first value of header `name` (case-insensitive), or "" when absent.
  std::string header(const std::string& name) const;
};

class SimProcess {
 public:
  /// Starts `binary --listen 127.0.0.1:0 --fleet fleet --token token --port-file … extra_args…`
  /// and waits (up to 5 s) for the port file. Throws std::runtime_error if flysim does not come
  /// up (e.g. it rejected the fleet file or an option).
  SimProcess(const std::string& binary, const std::string& fleet, const std::string& token,
             const std::vector<std::string>& extra_args = {});
  ~SimProcess();
  SimProcess(const SimProcess&) = delete;
  SimProcess& operator=(const SimProcess&) = delete;

  std::uint16_t port() const { return port_; }
  /// Sends one request on a fresh connection and returns status and body. `authorization` is
  /// sent as the Authorization header when non-empty. Throws on transport errors.
  HttpReply request(const std::string& method, const std::string& target,
                    const std::string& authorization = "", const std::string& body = "") const;
  /// The same, to another loopback port of this flysim (an app's edge), with extra headers.
  HttpReply request_port(std::uint16_t port, const std::string& method, const std::string& target,
                         const std::string& authorization = "", const std::string& body = "",
                         const Headers& headers = {}) const;
  /// One HTTPS request to loopback `port`: the server's certificate must verify against the PEM
  /// file `ca_file` and be valid for IP 127.0.0.1. Throws on transport, handshake or
  /// verification errors.
  HttpReply request_tls(std::uint16_t port, const std::string& method, const std::string& target,
                        const std::string& ca_file, const Headers& headers = {}) const;

 private:
  pid_t pid_ = -1;
  std::uint16_t port_ = 0;
  std::string dir_;
};

/// A fresh directory under /tmp, removed with its contents on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  /// Writes `text` to path()/name and returns that path. Throws on failure.
  std::string write(const std::string& name, const std::string& text) const;

 private:
  std::string path_;
};

/// PEM files of a certificate and its private key.
struct CertFiles {
  std::string cert, key;
};

/// Makes a throwaway self-signed P-256 certificate valid for IP 127.0.0.1 (one day) and its key
/// as `dir`/name.pem and `dir`/name.key with the `openssl` CLI. Throws if openssl fails.
CertFiles make_self_signed_cert(const TempDir& dir, const std::string& name);

/// A loopback port that was free a moment ago (bound on 127.0.0.1:0, then released).
std::uint16_t free_loopback_port();

/// Current wall-clock time in epoch milliseconds.
std::int64_t wall_ms();

}  // namespace flywatch::flysim::testing
