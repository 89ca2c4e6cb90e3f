#pragma once
/// Assertions on a probe result (`expect` in DESIGN §4), evaluated without I/O.

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/probe_result.hpp"

namespace flywatch::core {

/// A compiled regular expression (ECMAScript syntax, searched anywhere in its subject
/// unless anchored; `^` and `$` anchor at the ends of the subject, not at embedded newlines).
/// Copyable and cheap to copy: copies share the compiled program. A default-constructed
/// Pattern is the empty pattern (matches everywhere). Matching is bounded by Boost.Regex's
/// state budget (roughly quadratic in the subject length), after which it reports no match.
class Pattern {
 public:
  /// Compiles `source`; on a syntax error returns nullopt and sets `error` to a message.
  static std::optional<Pattern> compile(std::string_view source, std::string* error = nullptr);

  /// True when the pattern matches somewhere in `subject`. A pattern too complex to run
  /// on `subject` counts as no match rather than throwing.
  bool search(std::string_view subject) const;
  /// True when the pattern matches the whole of `subject`.
  bool full_match(std::string_view subject) const;

  const std::string& source() const { return source_; }

 private:
  struct Impl;
  std::string source_;
  std::shared_ptr<const Impl> impl_;
};

/// The expectations of one target. Empty members assert nothing.
struct Expectation {
  /// Accepted status codes; empty means any 2xx.
  std::vector<int> status;
  /// Dotted path into the JSON body ("database", "checks.0.ok") → expected scalar written as
  /// text. A JSON string must equal it; a number must equal it numerically; true/false/null
  /// must be written that way.
  std::vector<std::pair<std::string, std::string>> body_json;
  std::optional<Pattern> body_regex;
  /// Header name (lower-case) → pattern that must match the whole header value.
  std::vector<std::pair<std::string, Pattern>> headers;
  std::optional<std::chrono::milliseconds> max_latency;
  /// The earliest certificate must stay valid at least this long after the probe.
  std::optional<std::chrono::milliseconds> cert_min_validity;
};

/// The outcome of one probe after its expectations.
struct Verdict {
  bool success = false;
  FailureReason reason = FailureReason::none;  ///< none on success
  std::string detail;                          ///< why it failed, for logs and the status API
};

/// Evaluates `result` against `expect` at wall-clock time `now` (for certificate validity).
/// Transport failures pass through with their own reason. Checks run in a fixed order —
/// status, headers, body_json, body_regex, latency, cert — and the first failure is reported.
Verdict evaluate(const ProbeResult& result, const Expectation& expect,
                 std::chrono::system_clock::time_point now);

}  // namespace flywatch::core
