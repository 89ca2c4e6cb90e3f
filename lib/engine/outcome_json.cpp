#include "engine/outcome_json.hpp"

#include <string>

#include "core/duration.hpp"
#include "core/log_line.hpp"

namespace flywatch::engine {

void put_outcome(boost::json::object& o, const core::Verdict& verdict,
                 std::optional<int> status_code, std::chrono::nanoseconds duration) {
  o["success"] = verdict.success;
  o["reason"] = std::string(core::to_string(verdict.reason));
  o["error"] = verdict.detail;
  if (status_code) {
    o["status_code"] = *status_code;
  } else {
    o["status_code"] = nullptr;
  }
  o["duration_seconds"] = core::to_seconds(duration);
}

boost::json::value outcome_json(const std::optional<LastOutcome>& last) {
  if (!last) return nullptr;
  boost::json::object o;
  put_outcome(o, last->verdict, last->status_code, last->duration);
  if (last->reused) {
    o["connection"] = *last->reused ? "reused" : "new";
  } else {
    o["connection"] = nullptr;
  }
  o["at"] = core::format_rfc3339_ms(last->at);
  return o;
}

boost::json::object journey_run_json(const journey::JourneyOutcome& outcome) {
  boost::json::object o;
  put_outcome(o, outcome.verdict, std::nullopt, outcome.total);
  o["failed_step"] = outcome.passed ? boost::json::value(nullptr)
                                    : boost::json::value(outcome.failed_step);
  boost::json::array steps;
  for (const core::StepReport& step : outcome.steps) {
    boost::json::object s;
    s["name"] = step.name;
    put_outcome(s, step.verdict, step.status, step.duration);
    steps.push_back(std::move(s));
  }
  o["steps"] = std::move(steps);
  return o;
}

boost::json::value journey_outcome_json(const std::optional<JourneyLast>& last) {
  if (!last) return nullptr;
  boost::json::object o = journey_run_json(last->outcome);
  o["machine"] = last->machine.empty() ? boost::json::value(nullptr) : boost::json::value(last->machine);
  o["at"] = core::format_rfc3339_ms(last->at);
  return o;
}

}  // namespace flywatch::engine
