#pragma once
/// The HTTP-shaped part of `expect` (DESIGN §4): status, headers, body_json, body_regex.
/// They apply to http:// and https:// results only.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/cookie_expectation.hpp"
#include "core/cors_expectation.hpp"
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
  /// Cookies the answer must set, with their attributes (reason cookie).
  std::vector<CookieExpectation> cookies;
  /// The CORS answer to a request with an Origin header (reason cors).
  std::optional<CorsExpectation> cors;
  /// An HTML answer's same-origin scripts and stylesheets must answer 2xx (reason asset); the
  /// prober fetches them (ProbeSpec::fetch_assets) into ProbeResult::assets.
  bool assets = false;
};

/// Checks a transport-ok HTTP `result` in the fixed order status, headers, body_json,
/// body_regex, cookies, cors, assets; the first failure, or nullopt when all hold. `now` is
/// the wall-clock time of the answer (cookie expiry).
std::optional<Verdict> check_http(const ProbeResult& result, const HttpExpectation& expect,
                                  std::chrono::system_clock::time_point now);

/// Searches `subject` for `pattern` (the expectation `what`, e.g. "body_regex"): nullopt on a
/// match; otherwise reason body, "no match", or, when the search gave up on a pattern too
/// complex for this subject (MatchOutcome::gave_up), a detail that says so.
std::optional<Verdict> check_regex(std::string_view what, const Pattern& pattern,
                                   std::string_view subject);

/// The assets check alone: an answer that is not HTML, or an asset that got no 2xx answer
/// (the first, naming its path), fails with reason asset.
std::optional<Verdict> check_assets(const ProbeResult& result);

}  // namespace flywatch::core
