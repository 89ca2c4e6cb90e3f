#pragma once
/// The latched alert conditions of one Fly machine (DESIGN §7), fed by its MachineLifecycle
/// updates. Pure: no clock, no I/O.

#include "core/alert_rules.hpp"
#include "core/machine_lifecycle.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace flywatch::core {

/// The latched machine conditions of one machine, fed by its MachineLifecycle updates. Stuck,
/// an OOM exit and a slow cold start are reports (edges); their alerts need a level that holds
/// until the event that clears them. One per tracked machine; a pure value type.
class MachineAlertState {
 public:
  /// Records one update and the machine's lifecycle state after it:
  ///  - stuck: set by `update.stuck`, cleared by any transition or `update.unstuck`;
  ///  - failed: true while `state` is failed, or from an exit with oom_killed until a later
  ///    update sees the machine healthy (an OOM kill and recovery between two polls still
  ///    fires once, then resolves at the next poll);
  ///  - cold_start_slow: set by `update.slow` or a finished slow cold start, cleared by a
  ///    finished cold start within the SLO.
  /// `reason` is MachineLifecycle::reason() (why an `unknown` machine is unknown).
  void observe(const MachineUpdate& update, MachineState state, std::string_view reason = {});

  /// After AlertBook::restore(): re-arms the latches from the alerts still firing, so that a
  /// latched alert is confirmed (not resolved) when its machine is seen again. Pass
  /// AlertBook::firing() for this machine's MachineStuck / MachineFailed / ColdStartSlow labels.
  void restore(bool stuck, bool oom_failed, bool cold_start_slow);

  bool stuck() const { return stuck_; }
  bool failed() const { return state_ == MachineState::failed || oom_; }
  bool oom_killed() const { return oom_; }
  bool cold_start_slow() const { return slow_; }
  MachineState state() const { return state_; }

  /// The four machine conditions for this machine, in the order MachineUnhealthy, MachineStuck,
  /// MachineFailed, ColdStartSlow. With `gone` (the machine disappeared or was destroyed) all
  /// are inactive, so every alert of the machine resolves.
  std::vector<AlertCondition> conditions(const AlertRules& rules, std::string_view app,
                                         std::string_view machine, std::string_view region,
                                         bool gone = false) const;

 private:
  MachineState state_ = MachineState::unknown;
  std::string reason_;      ///< why the machine is in state_ (a host problem for `unknown`)
  std::string stuck_text_;  ///< the stuck state as reported, when it says more than state_
  bool stuck_ = false;
  bool oom_ = false;
  bool slow_ = false;
};

}  // namespace flywatch::core
