#pragma once
/// The probers' one I/O seam: `Prober` is what the engine and `flywatch check` call;
/// `make_prober` gives the production side, a registry that dispatches on the URL scheme to one
/// prober per kind (http_probe, tcp_probe, tls_probe); tests substitute their own. (The Fly API
/// and the alert sinks use net::HttpClient, whose answer is data, not a verdict.)

#include <bitset>
#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "core/connection_reuse.hpp"
#include "core/endpoint.hpp"
#include "core/pattern.hpp"
#include "core/probe_result.hpp"

namespace flywatch::net {

/// The tcp:// part of a ProbeSpec.
struct TcpProbeSpec {
  std::string send;  ///< written once connected; empty: nothing is sent
  /// When set, the prober reads what the server sends until this matches, no continuation can
  /// match any more, EOF, or max_body_bytes (the bytes land in ProbeResult::body). Unset: the
  /// probe ends once connected (and `send` written).
  std::optional<core::Pattern> read_until;
};

/// Everything one probe needs, resolved from config: the endpoint (URL parts, TLS options for
/// https and tls, the HTTP headers), then each kind's part; a kind ignores the parts of the
/// others.
struct ProbeSpec {
  /// scheme ("http", "https", "tcp" or "tls") selects the kind; http(s) sends `headers` as
  /// given (Host is added if absent) to `target`; TLS: an empty ca_file means the system
  /// default verify paths, an empty server_name the host.
  core::Endpoint endpoint;
  std::chrono::milliseconds timeout{5000};  ///< one deadline for the whole probe
  /// http(s): larger bodies fail with reason too_large. tcp: most banner bytes read.
  std::size_t max_body_bytes = 1 << 20;

  // HTTP (http and https)
  std::string method = "GET";
  std::string body;
  /// expect.assets: after a 2xx HTML answer, GET each same-origin asset it names (at most
  /// max_assets, one after another, each body up to max_asset_bytes) before the same deadline,
  /// into ProbeResult::assets.
  bool fetch_assets = false;
  std::size_t max_assets = 32;
  std::size_t max_asset_bytes = 16 << 20;

  /// The serialised request (build_request), prepared once when the spec is made
  /// (engine::make_probe_spec); empty: built per probe.
  std::string request;

  // Connection (http and https; tcp and tls always dial)
  /// fresh: a new connection per probe, closed after it. reuse: the kept-alive connection of
  /// `connection_key` when there is a usable one, else a new one kept after a clean exchange.
  core::ConnectionMode connection = core::ConnectionMode::fresh;
  /// reuse: a kept connection this old is closed and replaced (a new handshake).
  std::chrono::milliseconds max_connection_age = core::default_max_connection_age;
  /// reuse: the slot of the kept connection: one per target (and machine). Empty: no reuse.
  std::string connection_key;
  /// reuse: who owns the slot (the target's runtime); Prober::retain_connections matches it.
  std::string connection_owner;

  // TCP (tcp)
  TcpProbeSpec tcp;
};

/// Runs probes. Never throws for a failed probe: every failure is a ProbeResult with a reason.
class Prober {
 public:
  virtual ~Prober() = default;
  /// Performs one probe on the caller's executor. Completes within spec.timeout (plus
  /// scheduling slack) whatever the server does.
  virtual boost::asio::awaitable<core::ProbeResult> probe(const ProbeSpec& spec) = 0;
  /// Drops state derived from files (CA bundles), so the next probes read them again; called
  /// when a configuration is applied. Probes in flight are not affected.
  virtual void reload() {}
  /// Closes the kept connections (`connection: reuse`) whose ProbeSpec::connection_owner is
  /// not in `owners`: called when a configuration is applied, so a removed or changed target
  /// loses its connection. Probes in flight keep theirs until they end (then it is closed).
  virtual void retain_connections(const std::set<std::string, std::less<>>& owners) {
    (void)owners;
  }
};

/// Replaces getaddrinfo (which runs on a small thread pool) for tests that need a name with
/// several addresses; it is called on a pool thread and must be thread-safe.
using NameLookup = std::function<boost::asio::ip::tcp::resolver::results_type(
    const std::string& host, const std::string& port, boost::system::error_code& ec)>;

/// The production prober: dispatches on spec.endpoint.scheme (http, https, tcp, tls; anything else
/// fails with reason protocol). TLS contexts are cached per (ca_file, insecure_skip_verify) so
/// the CA bundle is loaded once, not per probe. A `connection: fresh` probe does a new
/// connection and full handshake (no session resumption), which is what an uptime check
/// measures; a `connection: reuse` http(s) probe runs on its key's kept-alive connection when
/// there is a usable one (net/connection_pool.hpp).
std::unique_ptr<Prober> make_prober(NameLookup lookup = {});

/// The phases a probe kind's results can report, by URL scheme, from the same registry: the
/// phase gauges a target of that kind exposes. tcp has resolve and connect (a result that read
/// a banner adds first_byte), tls adds tls, http has all but tls, https all five; an unknown
/// scheme has every phase.
std::bitset<core::probe_phase_count> phases_of_kind(std::string_view scheme);

}  // namespace flywatch::net
