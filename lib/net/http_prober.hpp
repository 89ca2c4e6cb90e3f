#pragma once
/// The HTTP(S) prober's one I/O seam: `HttpProber` is what the engine calls; `make_http_prober`
/// gives the production side (Asio + Beast + OpenSSL); tests substitute their own.

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "core/probe_result.hpp"

namespace flywatch::net {

/// Everything one probe needs, resolved from config.
struct ProbeSpec {
  std::string scheme = "https";  ///< "http" or "https"
  std::string host;              ///< DNS name or IP literal (IPv6 without brackets)
  std::uint16_t port = 443;
  std::string target = "/";      ///< path and query
  std::string method = "GET";
  std::vector<std::pair<std::string, std::string>> headers;  ///< sent as given (Host is added if absent)
  std::string body;
  std::chrono::milliseconds timeout{5000};  ///< one deadline for the whole probe
  std::size_t max_body_bytes = 1 << 20;     ///< larger bodies fail with reason too_large

  // TLS
  std::string ca_file;               ///< empty: system default verify paths
  bool insecure_skip_verify = false;
  std::string server_name;           ///< SNI and verified name; empty: `host`
};

/// Runs probes. Never throws for a failed probe: every failure is a ProbeResult with a reason.
class HttpProber {
 public:
  virtual ~HttpProber() = default;
  /// Performs one probe on the caller's executor. Completes within spec.timeout (plus
  /// scheduling slack) whatever the server does.
  virtual boost::asio::awaitable<core::ProbeResult> probe(const ProbeSpec& spec) = 0;
  /// Drops state derived from files (CA bundles), so the next probes read them again; called
  /// when a configuration is applied. Probes in flight are not affected.
  virtual void reload() {}
};

/// The production prober. TLS contexts are cached per (ca_file, insecure_skip_verify) so the
/// CA bundle is loaded once, not per probe; every probe does a fresh handshake (no session reuse),
/// which is what an uptime check must measure.
///
/// `lookup` replaces getaddrinfo (which runs on a small thread pool) for tests that need a name
/// with several addresses; it is called on a pool thread and must be thread-safe.
using NameLookup = std::function<boost::asio::ip::tcp::resolver::results_type(
    const std::string& host, const std::string& port, boost::system::error_code& ec)>;
std::unique_ptr<HttpProber> make_http_prober(NameLookup lookup = {});

}  // namespace flywatch::net
