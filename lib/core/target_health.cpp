#include "core/target_health.hpp"

#include <algorithm>
#include <limits>

namespace flywatch::core {
namespace {

// A threshold below one would make a single result flip the state both ways.
int clamp_threshold(int t) { return std::max(t, 1); }

// A target that has been failing for years must not overflow its counter.
void bump(int& counter) {
  if (counter < std::numeric_limits<int>::max()) ++counter;
}

}  // namespace

std::string_view to_string(TargetState s) {
  switch (s) {
    case TargetState::unknown: return "unknown";
    case TargetState::up: return "up";
    case TargetState::down: return "down";
  }
  return "unknown";
}

TargetHealth::TargetHealth(int failure_threshold, int success_threshold)
    : failure_threshold_(clamp_threshold(failure_threshold)),
      success_threshold_(clamp_threshold(success_threshold)) {}

void TargetHealth::set_thresholds(int failure_threshold, int success_threshold) {
  failure_threshold_ = clamp_threshold(failure_threshold);
  success_threshold_ = clamp_threshold(success_threshold);
}

std::optional<HealthTransition> TargetHealth::observe(bool success,
                                                      std::chrono::system_clock::time_point now) {
  if (success) {
    bump(successes_);
    failures_ = 0;
  } else {
    bump(failures_);
    successes_ = 0;
  }
  TargetState next = state_;
  if (state_ == TargetState::unknown) {
    next = success ? TargetState::up : TargetState::down;
  } else if (state_ == TargetState::up && failures_ >= failure_threshold_) {
    next = TargetState::down;
  } else if (state_ == TargetState::down && successes_ >= success_threshold_) {
    next = TargetState::up;
  }
  if (next == state_) return std::nullopt;
  HealthTransition t{state_, next, now};
  state_ = next;
  since_ = now;
  return t;
}

}  // namespace flywatch::core
