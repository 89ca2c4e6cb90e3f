#pragma once
/// The HTTP-shaped part of `expect` (DESIGN §4): status, headers, body_json, body_regex.
/// They apply to http:// and https:// results only.

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/pattern.hpp"
#include "core/probe_result.hpp"
#include "core/verdict.hpp"

namespace flywatch::core {

/// Assertions on an HTTP response. Empty members assert nothing (except `status`: empty
/// means any 2xx).
struct HttpExpectation {
  /// Accepted status codes; empty means any 2xx.
  std::vector<int> status;
  /// Dotted path into the JSON body ("database", "checks.0.ok") → expected scalar written as
  /// text. A JSON string must equal it; a number must equal it numerically; true/false/null
  /// must be written that way.
  std::vector<std::pair<std::string, std::string>> body_json;
  std::optional<Pattern> body_regex;
  /// Header name (lower-case) → pattern that must match the whole header value.
  std::vector<std::pair<std::string, Pattern>> headers;
};

/// Checks a transport-ok HTTP `result` in the fixed order status, headers, body_json,
/// body_regex; the first failure, or nullopt when all hold.
std::optional<Verdict> check_http(const ProbeResult& result, const HttpExpectation& expect);

}  // namespace flywatch::core
