#pragma once
/// What `flywatch gate` reports (DESIGN §12), as plain data, and its three renderings: a line
/// per phase and case for the terminal, JSON (`--json`) and JUnit XML (`--junit FILE`: a
/// testsuite per phase, a testcase per wake, wait, target or journey step). Pure.

#include <chrono>
#include <string>
#include <vector>

namespace flywatch::gate {

/// One thing the gate checked.
struct GateCase {
  /// "wake medio-backend", "wait_healthy medio-backend", "target medio-backend",
  /// "journey medio-auth step login".
  std::string name;
  bool passed = false;
  /// Not run: its phase did not run, or an earlier case made it pointless (`skip_why` says).
  bool skipped = false;
  std::string skip_why;
  /// A failure's reason: a probe failure reason (status, cookie, …) or "fly_api", "failed",
  /// "timeout" for wake and wait.
  std::string reason;
  /// What happened: for a failure, the detail (already free of secrets); for a pass, a short
  /// note ("started 2 machines", "200").
  std::string message;
  std::chrono::nanoseconds duration{0};
};

struct GatePhaseResult {
  std::string name;
  bool ran = false;
  bool passed = false;  ///< ran and every case passed
  std::vector<GateCase> cases;
  std::chrono::nanoseconds duration{0};
};

struct GateResult {
  std::vector<GatePhaseResult> phases;
  /// Every phase that was to run passed.
  bool passed() const;
  /// The phase that failed, or null.
  const GatePhaseResult* failed_phase() const;
};

/// "  ok    target medio-backend  (120ms)  200" / "  FAIL  journey medio-auth step login
/// (35ms)  cookie: …" / "  skip  target medio-react-app  (phase auth failed)".
std::string case_line(const GateCase& c);
/// "phase backend: passed (4200ms)" / "phase auth: FAILED (300ms)" / "phase features: not run".
std::string phase_line(const GatePhaseResult& p);
/// "gate: passed (3 phases)" / "gate: FAILED at phase auth: journey medio-auth step login: cookie: …".
std::string summary_line(const GateResult& r);

/// `{"passed":bool,"failed_phase":name|null,"phases":[{"name","ran","passed","duration_seconds",
/// "cases":[{"name","passed","skipped","reason","message","duration_seconds"}]}]}`.
std::string gate_json(const GateResult& r);

/// JUnit XML (the shape Jenkins, GitLab and GitHub's test reporters read): `<testsuites>` with a
/// `<testsuite>` per phase, a `<testcase classname="PHASE" name="CASE">` per case with a
/// `<failure message type>` or `<skipped message>`. `timestamp` is when the gate began
/// (RFC 3339). Everything shown is XML-escaped.
std::string gate_junit(const GateResult& r, std::chrono::system_clock::time_point timestamp);

/// `s` with &, <, >, " and ' escaped, and control characters other than tab, CR and LF (which
/// XML 1.0 cannot carry) and each byte of invalid UTF-8 replaced by '?'.
std::string xml_escape(std::string_view s);

}  // namespace flywatch::gate
