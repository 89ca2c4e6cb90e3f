#pragma once
/// What a prober observed, as plain data. Probers fill it in and decide nothing; lib/core
/// evaluates it against a target's expectations.

#include <array>
#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace flywatch::core {

/// The bounded set of failure reasons of DESIGN §6 (label `reason`); `none` means success.
enum class FailureReason {
  none,
  dns,
  connect,
  tls,
  timeout,
  status,
  body,
  header,
  latency,
  cert,
  too_large,
  protocol,
  cookie,   ///< expect.cookies: a cookie missing or with the wrong attributes
  cors,     ///< expect.cors: the CORS answer is not the one expected
  asset,    ///< expect.assets: a page's script or stylesheet did not answer 2xx
  extract,  ///< a journey step's `extract:` found nothing to extract
};

/// Number of FailureReason values, `none` included (for arrays indexed by reason).
inline constexpr std::size_t failure_reason_count = 16;

/// Label value of a reason, e.g. "too_large". `none` maps to "".
std::string_view to_string(FailureReason r);

/// Every reason except `none`, in declaration order (used to pre-create metric series).
const std::array<FailureReason, failure_reason_count - 1>& all_failure_reasons();

/// Phases of one probe (label `phase`). http(s) has them all (tls only on https); tcp://
/// has resolve, connect and first_byte (when it reads a banner); tls:// resolve, connect, tls.
enum class ProbePhase { resolve, connect, tls, first_byte, transfer };
inline constexpr std::size_t probe_phase_count = 5;
std::string_view to_string(ProbePhase p);

/// One same-origin asset fetched after an HTML page (`expect.assets`).
struct AssetFetch {
  std::string target;  ///< path and query, as the page named it
  int status = 0;      ///< 0 when no response was read
  /// none when a response was read; otherwise the step that failed (dns, connect, tls, timeout,
  /// too_large, protocol).
  FailureReason transport_failure = FailureReason::none;
};

/// One probe as seen on the wire.
struct ProbeResult {
  /// `none` when the kind's exchange completed (an HTTP response read completely, a TCP
  /// connection made and its banner read, a TLS handshake done); otherwise the transport step
  /// that failed: dns, connect, tls, timeout, too_large or protocol.
  FailureReason transport_failure = FailureReason::none;
  /// Human-readable cause (e.g. "tls: certificate has expired"); for logs and the status API,
  /// never for metric labels.
  std::string error;

  /// Whole probe, start to end, whether it succeeded or not.
  std::chrono::nanoseconds total{0};
  /// Each phase that was reached; unset phases were not reached (or do not apply, e.g. tls on http://).
  std::array<std::optional<std::chrono::nanoseconds>, probe_phase_count> phases{};

  bool used_tls = false;
  /// Earliest notAfter among the certificates the server sent (when TLS got that far).
  std::optional<std::chrono::system_clock::time_point> cert_not_after;

  /// True for http:// and https:// probes. False for tcp:// and tls://, which read no HTTP
  /// response: http_status stays 0 and the HTTP expectations (status, headers, body_json,
  /// body_regex) do not apply.
  bool http_exchange = true;
  int http_status = 0;  ///< 0 when no response line was read
  /// Response headers with lower-cased names, in arrival order.
  std::vector<std::pair<std::string, std::string>> headers;
  /// The response body; for tcp:// the bytes the server sent (its banner), if any were read.
  std::string body;

  /// With ProbeSpec::fetch_assets and an HTML answer: each asset the page names, in document
  /// order, as far as the probe's deadline and caps allowed (the rest are not fetched).
  std::vector<AssetFetch> assets;
  /// True when the page was parsed for assets (it was HTML); false when it was not.
  bool page_was_html = false;

  /// The remote address that answered, "ip:port" or "[ip6]:port" (empty if none).
  std::string remote;
  /// http(s) with `connection: reuse`: the probe ran on a kept-alive connection, so it did no
  /// resolve, connect or TLS handshake (those phases read 0) and cert_not_after is the one
  /// seen by that connection's handshake. False for a new connection (or none).
  bool reused = false;

  bool transport_ok() const { return transport_failure == FailureReason::none; }
  /// The status code to show: http_status for kinds with an HTTP exchange, none otherwise.
  std::optional<int> status_code() const {
    return http_exchange ? std::optional<int>(http_status) : std::nullopt;
  }
};

}  // namespace flywatch::core
