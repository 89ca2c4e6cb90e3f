#pragma once
/// What the engine keeps per journey between runs. Like TargetRuntime, its state has one
/// mutator, record(); events, alerts and the status API read it.

#include <chrono>
#include <optional>
#include <string>

#include "config/config.hpp"
#include "core/target_health.hpp"
#include "journey/journey_runner.hpp"

namespace flywatch::engine {

/// The latest run, as the status API shows it.
struct JourneyLast {
  journey::JourneyOutcome outcome;
  std::string machine;  ///< the machine it ran through ("" for none)
  std::chrono::system_clock::time_point at{};
};

/// What recording one run changed.
struct JourneyRecording {
  /// "step/reason" of the run before (empty after a pass, or before any run): a repeated
  /// failure is logged quietly.
  std::string previous_failure;
  std::optional<core::HealthTransition> change;
};

/// "step/reason" of a failed outcome, "" for a passed one.
inline std::string failure_key(const journey::JourneyOutcome& o) {
  return o.passed ? std::string() : o.failed_step + "/" + std::string(core::to_string(o.verdict.reason));
}

class JourneyRuntime {
 public:
  explicit JourneyRuntime(config::Journey c)
      : cfg(std::move(c)), health_(cfg.failure_threshold, cfg.success_threshold) {}

  /// Records one run at `now`, through `machine` ("" when none).
  JourneyRecording record(journey::JourneyOutcome outcome, std::string machine,
                          std::chrono::system_clock::time_point now) {
    JourneyRecording r{last_ ? failure_key(last_->outcome) : std::string(),
                       health_.observe(outcome.passed, now)};
    last_ = JourneyLast{std::move(outcome), std::move(machine), now};
    return r;
  }
  /// A run was not started (`why`, e.g. "app asleep"); shown by the status API until the next run.
  void skipped(std::string why) { skipped_ = std::move(why); }
  void ran() { skipped_.clear(); }
  /// Reload: new thresholds, state kept.
  void set_thresholds(int failure_threshold, int success_threshold) {
    health_.set_thresholds(failure_threshold, success_threshold);
  }

  const core::TargetHealth& health() const { return health_; }
  const std::optional<JourneyLast>& last() const { return last_; }
  const std::string& skipped_why() const { return skipped_; }

  config::Journey cfg;

 private:
  core::TargetHealth health_;
  std::optional<JourneyLast> last_;
  std::string skipped_;
};

}  // namespace flywatch::engine
