#include "core/machine_alert_state.hpp"

#include <algorithm>

namespace flywatch::core {

void MachineAlertState::observe(const MachineUpdate& update, MachineState state,
                                std::string_view reason) {
  if (!update.transitions.empty() || update.unstuck) stuck_ = false;
  if (update.stuck) {
    stuck_ = true;
    stuck_text_ = update.stuck->fly_state;
  }
  reason_ = std::string(reason);
  // An OOM kill seen in this update fires even if the machine is already healthy again (it
  // restarted between two polls); healthy in a later update resolves it.
  const bool oom_now = std::any_of(update.exits.begin(), update.exits.end(),
                                   [](const MachineExit& e) { return e.oom_killed; });
  if (oom_now) oom_ = true;
  else if (state == MachineState::healthy) oom_ = false;
  for (const auto& episode : update.cold_starts) slow_ = episode.slow;
  if (update.slow) slow_ = true;
  state_ = state;
}

void MachineAlertState::restore(bool stuck, bool oom_failed, bool cold_start_slow) {
  stuck_ = stuck_ || stuck;
  oom_ = oom_ || oom_failed;
  slow_ = slow_ || cold_start_slow;
}

std::vector<AlertCondition> MachineAlertState::conditions(const AlertRules& rules,
                                                          std::string_view app,
                                                          std::string_view machine,
                                                          std::string_view region,
                                                          bool gone) const {
  return {
      rules.machine_unhealthy_condition(app, machine, region,
                                        gone ? MachineState::destroyed : state_, reason_),
      rules.machine_stuck_condition(app, machine, region, !gone && stuck_, state_, stuck_text_),
      rules.machine_failed_condition(app, machine, region, !gone && failed(), oom_),
      rules.cold_start_slow_condition(app, machine, region, !gone && slow_),
  };
}

}  // namespace flywatch::core
