#pragma once
/// Serialises the HTTP/1.1 request of a probe. Pure: no I/O.

#include <string>

#include "net/prober.hpp"

namespace flywatch::net {

/// Writes the complete request for `spec` (request line, headers, body) into `out`.
/// Adds `Host` (server_name or host, bracketed if IPv6, with the port unless it is the
/// scheme's default), `User-Agent: flywatch` and `Accept: */*` when absent, `Content-Length`
/// when there is a body (or the method is POST/PUT/PATCH) and none was given, and
/// `Connection: close` unless spec.connection is reuse (a given Connection header is always
/// dropped: the prober decides whether the connection outlives the response).
/// Returns false and sets `error` when the method, target or a header could split the request
/// (control characters, CR/LF, an invalid header name).
bool build_request(const ProbeSpec& spec, std::string& out, std::string& error);

/// True for an IPv4 or IPv6 literal (IPv6 without brackets).
bool is_ip_literal(const std::string& host);

}  // namespace flywatch::net
