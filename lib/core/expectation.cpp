#include "core/expectation.hpp"

#include "core/duration.hpp"
#include "core/log_line.hpp"
#include "core/time_compare.hpp"

namespace flywatch::core {

namespace {

std::optional<Verdict> check_cert(const ProbeResult& result, const Expectation& expect,
                                  std::chrono::system_clock::time_point now) {
  if (!expect.cert_min_validity || !result.used_tls || !result.cert_not_after) return std::nullopt;
  // A notAfter centuries away and a minimum of more than 292 years are both possible.
  const auto left = saturating_difference(*result.cert_not_after, now);
  if (compare_durations(left, *expect.cert_min_validity) >= 0) return std::nullopt;
  const std::string at = format_rfc3339_ms(*result.cert_not_after);
  if (left <= decltype(left)::zero()) {
    return fail_verdict(FailureReason::cert, "certificate expired at " + at);
  }
  return fail_verdict(FailureReason::cert,
                      "certificate expires in " +
                          format_duration(std::chrono::floor<std::chrono::seconds>(left)) + " (" +
                          at + "), want at least " + format_duration(*expect.cert_min_validity));
}

}  // namespace

bool evaluation_runs_regex(const ProbeResult& result, const Expectation& expect) {
  if (!result.transport_ok()) return false;
  if (result.http_exchange) return expect.body_regex.has_value() || !expect.headers.empty();
  return expect.banner_regex.has_value();
}

Verdict evaluate(const ProbeResult& result, const Expectation& expect,
                 std::chrono::system_clock::time_point now) {
  if (!result.transport_ok()) {
    std::string detail = result.error.empty() ? std::string(to_string(result.transport_failure))
                                              : result.error;
    return fail_verdict(result.transport_failure, std::move(detail));
  }
  if (result.http_exchange) {
    if (auto v = check_http(result, expect, now)) return *v;
  } else if (expect.banner_regex) {
    const MatchOutcome found = expect.banner_regex->search_outcome(result.body);
    if (found == MatchOutcome::gave_up) {
      if (auto v = check_regex("banner_regex", *expect.banner_regex, result.body)) return *v;
    } else if (found == MatchOutcome::not_matched) {
      return fail_verdict(FailureReason::body,
                          "banner_regex: no match for " +
                              quote_detail(expect.banner_regex->source()) + " in " +
                              (result.body.empty() ? std::string("an empty banner")
                                                   : quote_detail(result.body)));
    }
  }
  if (expect.max_latency && compare_durations(result.total, *expect.max_latency) > 0) {
    return fail_verdict(FailureReason::latency, "latency " + format_elapsed(result.total) +
                                                    " exceeds max_latency " +
                                                    format_duration(*expect.max_latency));
  }
  if (auto v = check_cert(result, expect, now)) return *v;
  return Verdict{true, FailureReason::none, {}};
}

}  // namespace flywatch::core
