#pragma once
/// What an app's fleet says beyond its machine states, for alerting (DESIGN §5, §7): which
/// machines are not judged yet and whether the app's target is down through its machines. Pure:
/// the fleet, the own-probe verdicts and the time are arguments.

#include <chrono>
#include <map>
#include <optional>
#include <set>
#include <string>

#include "core/machine_lifecycle.hpp"

namespace flywatch::core {

struct FleetJudgement {
  /// Machines not judged yet: started and awaiting their first own-probe verdict (`pending`),
  /// or starting for less than the cold-start SLO. They may still turn healthy.
  std::set<std::string> undecided;
  /// The app's target through its machines: true when every probed machine fails its own probe
  /// (and none is undecided), false when one passes or none is probed, nullopt while that is
  /// not known yet, and always nullopt for an app without a target.
  std::optional<bool> target_down;
};

/// Judges `fleet` (after its latest observe) at `now`. `own_probe` holds the own-probe verdict by
/// machine id (absent: none), as given to AppFleet::observe; `has_target` says whether the app
/// names a target at all.
FleetJudgement judge_fleet(const AppFleet& fleet, const std::map<std::string, OwnProbe>& own_probe,
                           bool has_target, std::chrono::milliseconds cold_start_slo,
                           std::chrono::system_clock::time_point now);

}  // namespace flywatch::core
