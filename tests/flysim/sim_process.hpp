#pragma once
/// Test helpers: runs the real flysim binary on a loopback port and talks HTTP/1.1 to it with a
/// blocking Beast client. The process is killed (SIGTERM, then reaped) when the object dies.

#include <cstdint>
#include <string>

#include <sys/types.h>

namespace flywatch::flysim::testing {

struct HttpReply {
  int status = 0;
  std::string body;
};

class SimProcess {
 public:
  /// Starts `binary --listen 127.0.0.1:0 --fleet fleet --token token --port-file …` and waits
  /// (up to 5 s) for the port file. Throws std::runtime_error if flysim does not come up.
  SimProcess(const std::string& binary, const std::string& fleet, const std::string& token);
  ~SimProcess();
  SimProcess(const SimProcess&) = delete;
  SimProcess& operator=(const SimProcess&) = delete;

  std::uint16_t port() const { return port_; }
  /// Sends one request on a fresh connection and returns status and body. `authorization` is
  /// sent as the Authorization header when non-empty. Throws on transport errors.
  HttpReply request(const std::string& method, const std::string& target,
                    const std::string& authorization = "", const std::string& body = "") const;
  /// The same, to another loopback port of this flysim (an app's edge).
  HttpReply request_port(std::uint16_t port, const std::string& method, const std::string& target,
                         const std::string& authorization = "", const std::string& body = "") const;

 private:
  pid_t pid_ = -1;
  std::uint16_t port_ = 0;
  std::string dir_;
};

/// Current wall-clock time in epoch milliseconds.
std::int64_t wall_ms();

}  // namespace flywatch::flysim::testing
