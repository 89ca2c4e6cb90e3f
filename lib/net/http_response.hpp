#pragma once
/// How the http(s) probe reads a response off the wire: Beast's HTTP/1.1 response parser with
/// flywatch's limits, the interim responses it skips, and the final message as a ProbeResult's
/// status, headers and body. The probe (http_probe.cpp) reads through these; so does the
/// response fuzzer (tests/fuzz/fuzz_http_response.cpp), which feeds them hostile bytes.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>

#include "core/probe_result.hpp"

namespace flywatch::net {

using ResponseParser = boost::beast::http::response_parser<boost::beast::http::string_body>;

/// Real response headers are a few KiB; this bounds a server that streams header lines forever.
inline constexpr std::uint32_t response_header_limit = 64 * 1024;

/// A fresh parser in `parser` for the response to a `method` request: the body capped at
/// `max_body_bytes` (error body_limit past it), the header at response_header_limit (error
/// header_limit), and no body expected after a HEAD.
ResponseParser& start_response(std::optional<ResponseParser>& parser, std::size_t max_body_bytes,
                               std::string_view method);

/// True for the interim responses that precede the real one and are skipped (1xx, e.g. 100
/// Continue or 103 Early Hints), but not 101 Switching Protocols, which ends the exchange.
bool is_interim_response(int status);

/// Moves the final response into `result`: http_status, the headers in arrival order with
/// lower-cased names, and the body.
void store_response(ResponseParser::value_type&& message, core::ProbeResult& result);

}  // namespace flywatch::net
