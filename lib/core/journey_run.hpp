#pragma once
/// One run of a journey as a value: it says which request to send next and takes each answer,
/// judging it, extracting variables and keeping the cookie jar. No I/O and no clock: the shell
/// (lib/journey) sends the requests and passes the time in. A run stops at its first failed step.

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "core/cookie_jar.hpp"
#include "core/endpoint.hpp"
#include "core/journey.hpp"
#include "core/probe_result.hpp"
#include "core/template_text.hpp"
#include "core/verdict.hpp"

namespace flywatch::core {

/// The request one step sends, every {{variable}} expanded.
struct StepRequest {
  std::string method;
  std::string target;  ///< the base path, then the step's path
  /// The journey's headers, the step's (replacing those of the same name), `extra` headers of
  /// the run, Content-Type for a json body, and Cookie from the jar.
  HeaderList headers;
  std::string body;
};

/// How one step ended.
struct StepReport {
  std::string name;
  Verdict verdict;  ///< its detail has every secret redacted
  std::chrono::nanoseconds duration{0};
  std::optional<int> status;  ///< the HTTP status, when a response was read
};

class JourneyRun {
 public:
  using time_point = std::chrono::system_clock::time_point;

  /// Starts a run of `spec` (which must outlive the run) with the built-ins' values for it
  /// (builtin_values) and `extra` headers sent on every step (e.g. fly-force-instance-id).
  /// Variables are expanded in order, each seeing the built-ins and those before it.
  JourneyRun(const JourneySpec& spec, VariableValues builtins, HeaderList extra = {});

  /// The current step's request, or nullopt once the run is over. `now` drops expired cookies.
  std::optional<StepRequest> next_request(time_point now) const;
  /// The current step's spec; precondition: !finished().
  const JourneyStep& current_step() const;

  /// Records the current step's answer: evaluates its `expect` (body_json values expanded),
  /// keeps the cookies it set (also when it failed, as a browser would), extracts its
  /// variables, then advances, or ends the run on failure. Precondition: !finished().
  const StepReport& record(const ProbeResult& result, time_point now);
  /// Ends the run at the current step with `verdict` (e.g. the run's deadline passed before the
  /// step could start). Precondition: !finished().
  const StepReport& fail_current(Verdict verdict);

  bool finished() const { return finished_; }
  /// True once every step passed.
  bool passed() const { return finished_ && !failed_; }
  /// One report per step run so far, in order; the last is the failed one when !passed().
  const std::vector<StepReport>& reports() const { return reports_; }
  /// The values of the secret variables, for redacting anything else a caller reports.
  const std::vector<std::string>& secrets() const { return secrets_; }

 private:
  const JourneyStep& step() const { return spec_->steps[index_]; }
  CookieUrl cookie_url(const std::string& target) const;
  Expectation expanded_expect() const;

  const JourneySpec* spec_;
  VariableValues values_;
  HeaderList extra_;
  std::vector<std::string> secrets_;
  CookieJar jar_;
  std::size_t index_ = 0;
  bool finished_ = false;
  bool failed_ = false;
  std::vector<StepReport> reports_;
};

/// `json` serialised with each string that holds {{variables}} expanded from `values`.
std::string expand_json_body(const boost::json::value& json, const VariableValues& values);

}  // namespace flywatch::core
