#pragma once
/// How one Machines API view of a machine classifies under DESIGN §5: its lifecycle state, why
/// (host problems, cordoned), whether the own per-machine probe is to reach it, and which
/// process groups never serve. Pure functions of a MachineSnapshot; no clock, no I/O.

#include "core/machine.hpp"

#include <cstddef>
#include <string>
#include <string_view>

namespace flywatch::core {

/// DESIGN §5's lifecycle states. `healthy`/`unhealthy` refine Fly's `started`.
enum class MachineState {
  stopped, suspended, starting, started, healthy, unhealthy, stopping, suspending,
  updating, failed, destroyed, unknown
};
inline constexpr std::size_t machine_state_count = 12;
std::string_view to_string(MachineState s);

/// Fly says started: `started`, `healthy` or `unhealthy`.
bool started_family(MachineState s);
/// Asleep: `stopped` or `suspended` (an app whose machines all are is asleep, not down).
bool asleep_state(MachineState s);

/// Maps a Fly state string (or an event's `status`) to its lifecycle state before health is
/// considered: "started" gives `started`; strings not in DESIGN §5's table give `unknown`.
MachineState base_state(std::string_view fly_state);

/// What flywatch's own per-machine probe says about a machine (DESIGN §5).
enum class OwnProbe {
  none,     ///< no probe is configured for the machine's app
  pending,  ///< configured, but no verdict yet (not run, or between thresholds on the way up)
  passing,  ///< passing (after the target's success threshold)
  failing,  ///< failing past the target's failure threshold
};
/// "none", "pending", "passing", "failing" (the status API's `probe`).
std::string_view to_string(OwnProbe p);

/// DESIGN §5's table. A machine whose host is not ok (`host_problem` not empty) is `unknown`
/// unless its last state was stopped, suspended or destroyed (those stay: it served no one
/// either way, and an app asleep must not look awake): the API only repeats what it last
/// heard. For a started machine:
/// `started` while cordoned (it serves no traffic; see docs/fly.md); `unhealthy` when any Fly check
/// is "critical" or the own probe is failing; `healthy` when the listed checks cover every
/// configured check (`configured_checks`; flyctl waits for all of them too) and all are
/// "passing" (or there are none at all) and the own probe is passing or not configured;
/// `started` otherwise (own probe pending, checks warning, unknown or not reported yet).
MachineState lifecycle_state(const MachineSnapshot& m, OwnProbe own_probe);

/// Why the machine's host makes its state unknown: "host unreachable", "host status unknown",
/// "host status <x>"; empty when host_status is "ok" or absent.
std::string host_problem(const MachineSnapshot& m);

/// Why `m` is in state `s` (as lifecycle_state gave it) when the state alone does not say: the
/// host problem for `unknown`, "cordoned" for a cordoned `started` machine; else empty.
std::string state_reason(const MachineSnapshot& m, MachineState s);

/// True when flywatch's own per-machine probe is to reach `m`: Fly says started, its host is ok
/// and the proxy routes it traffic (not cordoned). The daemon and `flywatch check` both ask this.
bool probe_eligible(const MachineSnapshot& m);

/// True for a machine in `state` with `reason` (state_reason) whose host Fly cannot reach: as bad
/// as unhealthy for MachineUnhealthy, log levels and `flywatch check`.
bool host_lost(MachineState state, std::string_view reason);

/// True for process groups whose machines never serve the app: release command machines
/// (`fly_app_release_command`, the legacy `release_command`), the per-deploy test machine
/// (`fly_app_test_machine_command`) and consoles (`fly_app_console`).
bool is_ignored_process_group(std::string_view group);

}  // namespace flywatch::core
