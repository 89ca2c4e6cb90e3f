#pragma once
/// The up/down state of one target after thresholds, as a value type.

#include <chrono>
#include <optional>
#include <string_view>

namespace flywatch::core {

enum class TargetState { unknown, up, down };
std::string_view to_string(TargetState s);

/// What one observation changed.
struct HealthTransition {
  TargetState from;
  TargetState to;
  std::chrono::system_clock::time_point at;
};

/// Counts consecutive results: `failure_threshold` failures in a row make an up target down,
/// `success_threshold` successes in a row make a down target up. The very first result sets
/// the initial state directly (a new target is not "unknown" for three intervals). Thresholds
/// below 1 count as 1.
class TargetHealth {
 public:
  TargetHealth(int failure_threshold, int success_threshold);

  /// Records one probe outcome at `now`; returns the transition it caused, if any.
  std::optional<HealthTransition> observe(bool success, std::chrono::system_clock::time_point now);

  /// Changes thresholds (on reload) without losing state or counters.
  void set_thresholds(int failure_threshold, int success_threshold);

  TargetState state() const { return state_; }
  /// When the current state began (epoch for unknown).
  std::chrono::system_clock::time_point since() const { return since_; }
  int consecutive_failures() const { return failures_; }
  int consecutive_successes() const { return successes_; }

 private:
  int failure_threshold_;
  int success_threshold_;
  TargetState state_ = TargetState::unknown;
  std::chrono::system_clock::time_point since_{};
  int failures_ = 0;
  int successes_ = 0;
};

}  // namespace flywatch::core
