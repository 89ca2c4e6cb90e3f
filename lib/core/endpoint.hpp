#pragma once
/// One parsed endpoint: where a request goes (URL parts), how TLS is verified and which headers
/// it carries. Shared by the config (targets, alert sinks, the Fly API), the probers and the
/// HTTP client, so that no layer keeps its own copy of these fields. Pure.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace flywatch::core {

/// Request headers as written, in order (names as given, values unchanged).
using HeaderList = std::vector<std::pair<std::string, std::string>>;

/// TLS options of an https:// or tls:// endpoint.
struct TlsOptions {
  /// Empty: the system CAs. The config resolves a relative path against its own directory.
  std::string ca_file;
  bool insecure_skip_verify = false;
  std::string server_name;  ///< SNI and verified name; empty: the endpoint's host
  bool operator==(const TlsOptions&) const = default;
};

/// Where and how one request (or probe) is sent.
struct Endpoint {
  std::string scheme = "https";  ///< "http", "https", "tcp" or "tls"
  std::string host;              ///< DNS name or IP literal (IPv6 without brackets)
  std::uint16_t port = 443;      ///< explicit or the scheme's default
  std::string target = "/";      ///< http(s): path and query; tcp and tls: ""
  TlsOptions tls;
  HeaderList headers;
  bool operator==(const Endpoint&) const = default;
};

/// Which URL schemes parse_endpoint_url() accepts.
enum class UrlSchemes {
  http,          ///< http and https
  http_and_raw,  ///< also tcp://host:port and tls://host:port (probe targets)
};

/// Parses an absolute URL into an endpoint (no TLS options, no headers): a host, an optional
/// port 1–65535 (the scheme's default otherwise; required for tcp and tls), no userinfo and no
/// fragment; an http(s) target is the path and query, at least "/"; tcp and tls have no path
/// or query. On failure returns nullopt and sets `error` (e.g. "scheme must be http or
/// https"), which never repeats the URL: it may carry a credential.
std::optional<Endpoint> parse_endpoint_url(std::string_view url, UrlSchemes schemes,
                                           std::string& error);

}  // namespace flywatch::core
