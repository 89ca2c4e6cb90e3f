#pragma once
/// Assertions on a probe result (`expect` in DESIGN §4), evaluated without I/O. The
/// HTTP-shaped ones (http_expectation.hpp) apply to http(s) results only; `banner_regex` to
/// tcp:// results; max_latency and cert_min_validity to every kind that has them.

#include <chrono>
#include <optional>

#include "core/http_expectation.hpp"
#include "core/pattern.hpp"
#include "core/probe_result.hpp"
#include "core/verdict.hpp"

namespace flywatch::core {

/// The expectations of one target: its HTTP part (the base: status, headers, body_json,
/// body_regex), the TCP part and the common part. Empty members assert nothing.
struct Expectation : HttpExpectation {
  /// tcp:// only: must match somewhere in what the server sent (ProbeResult::body).
  std::optional<Pattern> banner_regex;
  std::optional<std::chrono::milliseconds> max_latency;
  /// The earliest certificate must stay valid at least this long after the probe.
  std::optional<std::chrono::milliseconds> cert_min_validity;
};

/// True when evaluate() would run one of `expect`'s regular expressions (body_regex, a header
/// pattern, banner_regex) on `result`. Even on a 1 KiB body a backtracking pattern can take a
/// tenth of a second before Boost.Regex gives up (its budget, BOOST_REGEX_MAX_STATE_COUNT in
/// lib/core/meson.build, holds per start position), seconds on 16 KiB: an event loop should then
/// evaluate on a worker thread (evaluate is pure, and safe to run on another thread).
bool evaluation_runs_regex(const ProbeResult& result, const Expectation& expect);

/// Evaluates `result` against `expect` at wall-clock time `now` (for certificate validity).
/// Transport failures pass through with their own reason. Checks run in a fixed order and the
/// first failure is reported: for an HTTP result (ProbeResult::http_exchange) status, headers,
/// body_json, body_regex, cookies, cors, assets; for any other result banner_regex; then
/// latency and cert for all.
Verdict evaluate(const ProbeResult& result, const Expectation& expect,
                 std::chrono::system_clock::time_point now);

}  // namespace flywatch::core
