#include "core/fleet_judgement.hpp"

namespace flywatch::core {

FleetJudgement judge_fleet(const AppFleet& fleet, const std::map<std::string, OwnProbe>& own_probe,
                           bool has_target, std::chrono::milliseconds cold_start_slo,
                           std::chrono::system_clock::time_point now) {
  FleetJudgement out;
  int passing = 0, failing = 0;
  for (const auto& [id, lc] : fleet.machines()) {
    const auto o = own_probe.find(id);
    const OwnProbe verdict = o == own_probe.end() ? OwnProbe::none : o->second;
    if (verdict == OwnProbe::passing) ++passing;
    if (verdict == OwnProbe::failing) ++failing;
    // After a restart of flywatch every machine is briefly unjudged: that must neither page nor
    // resolve anything.
    if ((lc.state() == MachineState::started && verdict == OwnProbe::pending) ||
        (lc.state() == MachineState::starting && now - lc.since() < cold_start_slo)) {
      out.undecided.insert(id);
    }
  }
  if (!has_target) return out;
  if (passing > 0) {
    out.target_down = false;
  } else if (out.undecided.empty()) {
    out.target_down = failing > 0;
  }
  return out;
}

}  // namespace flywatch::core
