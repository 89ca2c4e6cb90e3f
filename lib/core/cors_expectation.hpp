#pragma once
/// `expect.cors` (DESIGN §12): the CORS answer a browser at one origin needs, checked on the
/// response to a request that carried `Origin:` (a preflight OPTIONS or the request itself).

#include <optional>
#include <string>

#include "core/probe_result.hpp"
#include "core/verdict.hpp"

namespace flywatch::core {

/// expect.cors: the answer to a request carrying `Origin: origin`.
struct CorsExpectation {
  /// Exact serialized origin, e.g. "https://medio-react-app.fly.dev" (scheme, host, port if
  /// any, no path or trailing slash); the config loader refuses anything else.
  std::string origin;
  /// Access-Control-Allow-Credentials must be exactly "true".
  bool credentials = false;
  /// Vary must list Origin (or be *): a cache must not serve one origin's answer to another.
  bool vary_origin = true;
  bool operator==(const CorsExpectation&) const = default;
};

/// Checks `result`'s headers (ProbeResult::headers, lower-case names) against `expect`, in the
/// order Access-Control-Allow-Origin, Access-Control-Allow-Credentials, Vary; the first failure
/// as a Verdict with reason `cors`, or nullopt when all hold. Values are compared after
/// trimming the spaces and tabs HTTP allows around a field value, as a browser does.
/// - Access-Control-Allow-Origin fails when missing, sent more than once, `*` ("wildcard" in the
///   detail), `null`, a list of several values, or anything but exactly `origin`, byte for byte.
/// - With `credentials`, Access-Control-Allow-Credentials fails when missing, sent more than
///   once, or anything but exactly "true".
/// - With `vary_origin`, fails unless some Vary header (comma lists and repeated headers
///   included) lists Origin (any case) or `*`.
std::optional<Verdict> check_cors(const ProbeResult& result, const CorsExpectation& expect);

}  // namespace flywatch::core
