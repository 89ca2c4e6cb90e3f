#include "core/machine_state.hpp"

#include <algorithm>

namespace flywatch::core {

bool started_family(MachineState s) {
  return s == MachineState::started || s == MachineState::healthy || s == MachineState::unhealthy;
}

bool asleep_state(MachineState s) {
  return s == MachineState::stopped || s == MachineState::suspended;
}

std::string_view to_string(MachineState s) {
  switch (s) {
    case MachineState::stopped: return "stopped";
    case MachineState::suspended: return "suspended";
    case MachineState::starting: return "starting";
    case MachineState::started: return "started";
    case MachineState::healthy: return "healthy";
    case MachineState::unhealthy: return "unhealthy";
    case MachineState::stopping: return "stopping";
    case MachineState::suspending: return "suspending";
    case MachineState::updating: return "updating";
    case MachineState::failed: return "failed";
    case MachineState::destroyed: return "destroyed";
    case MachineState::unknown: return "unknown";
  }
  return "unknown";
}

std::string_view to_string(OwnProbe p) {
  switch (p) {
    case OwnProbe::none: return "none";
    case OwnProbe::pending: return "pending";
    case OwnProbe::passing: return "passing";
    case OwnProbe::failing: return "failing";
  }
  return "none";
}

MachineState base_state(std::string_view s) {
  if (s == "created" || s == "stopped") return MachineState::stopped;
  if (s == "suspended") return MachineState::suspended;
  if (s == "starting" || s == "restarting") return MachineState::starting;
  if (s == "started") return MachineState::started;
  if (s == "stopping") return MachineState::stopping;
  if (s == "suspending") return MachineState::suspending;
  if (s == "replacing" || s == "updating") return MachineState::updating;
  if (s == "failed" || s == "launch_failed") return MachineState::failed;
  if (s == "destroying" || s == "destroyed") return MachineState::destroyed;
  return MachineState::unknown;
}

std::string host_problem(const MachineSnapshot& m) {
  if (m.host_status.empty() || m.host_status == "ok") return {};
  if (m.host_status == "unreachable") return "host unreachable";
  if (m.host_status == "unknown") return "host status unknown";
  return "host status " + m.host_status;
}

std::string state_reason(const MachineSnapshot& m, MachineState s) {
  if (s == MachineState::unknown) return host_problem(m);
  if (s == MachineState::started && m.cordoned) return "cordoned";
  return {};
}

bool probe_eligible(const MachineSnapshot& m) {
  return base_state(m.state) == MachineState::started && !m.cordoned && host_problem(m).empty();
}

bool host_lost(MachineState state, std::string_view reason) {
  // An `unknown` without a reason is a state string flywatch does not know, not a lost host.
  return state == MachineState::unknown && !reason.empty();
}

MachineState lifecycle_state(const MachineSnapshot& m, OwnProbe own_probe) {
  MachineState base = base_state(m.state);
  // The API repeats the last state it heard from a host it cannot reach: for a machine last
  // seen running (or on its way) that says nothing now. One last seen asleep or gone stays
  // so: it served no one either way, and a scale-to-zero app must not look awake and unhealthy.
  if (!host_problem(m).empty() && !asleep_state(base) && base != MachineState::destroyed) {
    return MachineState::unknown;
  }
  if (base != MachineState::started) return base;
  // Cordoned: the proxy routes nothing to it, so it serves no one, whatever its checks say.
  if (m.cordoned) return MachineState::started;
  bool critical = std::any_of(m.checks.begin(), m.checks.end(),
                              [](const MachineCheck& c) { return c.status == "critical"; });
  if (critical || own_probe == OwnProbe::failing) return MachineState::unhealthy;
  // Right after a start Fly lists no status (or some) for the configured checks: not known
  // yet. flyctl likewise waits until every configured check reports passing.
  const bool all_reported =
      m.checks.size() >= static_cast<std::size_t>(std::max(0, m.configured_checks));
  bool passing = all_reported &&
                 std::all_of(m.checks.begin(), m.checks.end(),
                             [](const MachineCheck& c) { return c.status == "passing"; });
  if (passing && (own_probe == OwnProbe::none || own_probe == OwnProbe::passing)) {
    return MachineState::healthy;
  }
  return MachineState::started;
}

bool is_ignored_process_group(std::string_view group) {
  // fly-go's IsReleaseCommandMachine() also takes the legacy `release_command` group.
  return group == "fly_app_release_command" || group == "release_command" ||
         group == "fly_app_test_machine_command" || group == "fly_app_console";
}

}  // namespace flywatch::core
