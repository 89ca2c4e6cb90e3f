#pragma once
/// The lifecycle of Fly Machines (DESIGN §5) as value types: one poll of the Machines API in,
/// what changed out. Time is always an argument; nothing here reads a clock or does I/O.

#include "core/machine.hpp"

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace flywatch::core {

/// DESIGN §5's lifecycle states. `healthy`/`unhealthy` refine Fly's `started`.
enum class MachineState {
  stopped, suspended, starting, started, healthy, unhealthy, stopping, suspending,
  updating, failed, destroyed, unknown
};
inline constexpr std::size_t machine_state_count = 12;
std::string_view to_string(MachineState s);

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

/// DESIGN §5's table. A machine whose host is not ok (`host_problem` not empty) is `unknown`
/// unless its last state was stopped, suspended or destroyed (those stay: it served no one
/// either way, and an app asleep must not look awake): the API only repeats what it last
/// heard. For a started machine:
/// `started` while cordoned (it serves no traffic; see README); `unhealthy` when any Fly check
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

/// One state change of one machine. `at` is the time of the newest unseen event whose status
/// explains the change, else the observation time.
struct MachineTransition {
  MachineState from;
  MachineState to;
  std::chrono::system_clock::time_point at;
  /// Why, when the state alone does not say: a host problem for `unknown`, "cordoned" for a
  /// cordoned `started` machine; else empty.
  std::string reason = {};
};

/// An `exit` event seen for the first time (oldest first in an update).
struct MachineExit {
  std::optional<int> exit_code;
  bool oom_killed = false;
  std::chrono::system_clock::time_point at;
};

enum class ColdStartKind { cold, resume };
std::string_view to_string(ColdStartKind k);

/// One cold start: from leaving `stopped` (cold) or `suspended` (resume) to first `healthy`.
struct ColdStartEpisode {
  ColdStartKind kind = ColdStartKind::cold;
  std::chrono::system_clock::time_point start;
  /// False when no `starting` event was there and `start` is an observation time (or, for a
  /// start that polls missed, the `started` moment: see boot_unknown).
  bool start_from_event = false;
  /// Neither a `starting` event nor flywatch saw the start begin (the only event is `started`):
  /// `start` is the `started` moment, boot() is unknown and total() counts from `started`.
  bool boot_unknown = false;
  std::optional<std::chrono::system_clock::time_point> started;
  std::optional<std::chrono::system_clock::time_point> healthy;
  /// For an abandoned episode: when the machine stopped/failed again.
  std::optional<std::chrono::system_clock::time_point> ended;
  /// Took (or has taken so far) longer than the cold-start SLO.
  bool slow = false;

  /// start → started, once started; nullopt while boot_unknown.
  std::optional<std::chrono::milliseconds> boot() const;
  /// started → healthy, once healthy.
  std::optional<std::chrono::milliseconds> ready() const;
  /// start → healthy, once healthy.
  std::optional<std::chrono::milliseconds> total() const;
};

/// A machine that has sat in a transient state longer than the stuck limit.
struct StuckMachine {
  MachineState state;
  std::chrono::system_clock::time_point since;
  /// Fly's state when it says more than `state`: "created" (a machine created and never
  /// started, which base_state() counts as stopped); else empty.
  std::string fly_state = {};
};

/// Everything one observation of one machine caused. Each of slow/abandoned/stuck is reported
/// once per episode or state entry.
struct MachineUpdate {
  std::vector<MachineTransition> transitions;
  std::vector<MachineExit> exits;
  std::vector<ColdStartEpisode> cold_starts;  ///< finished (reached healthy) episodes
  std::optional<ColdStartEpisode> slow;       ///< past the SLO and not yet healthy
  std::optional<ColdStartEpisode> abandoned;  ///< stopped/suspended/failed/destroyed before healthy
  std::optional<StuckMachine> stuck;
  /// A machine reported stuck in Fly's `created` left it without a lifecycle transition
  /// (created → stopped are both `stopped`): it is stuck no more.
  bool unstuck = false;

  bool empty() const {
    return transitions.empty() && exits.empty() && cold_starts.empty() && !slow && !abandoned &&
           !stuck && !unstuck;
  }
};

struct LifecycleLimits {
  /// A cold start not healthy this long after its start is reported as slow.
  std::chrono::milliseconds cold_start_slo = std::chrono::seconds(30);
  /// starting/stopping/suspending/updating (or Fly's `created`) longer than this is reported
  /// as stuck.
  std::chrono::milliseconds stuck_after = std::chrono::minutes(5);
  /// On first sighting, a start event at most this old begins a cold start (the daemon or the
  /// machine is new and the start is still going on).
  std::chrono::milliseconds recent_start = std::chrono::minutes(1);
};

/// Tracks one machine across polls.
class MachineLifecycle {
 public:
  explicit MachineLifecycle(LifecycleLimits limits = {}) : limits_(limits) {}

  /// Records one poll's view of the machine at `now`. The first call sets the state without a
  /// transition, unless the events show a start within `recent_start` that can still be timed
  /// (then that start is reported as a transition from stopped/suspended and begins a cold
  /// start). A start can be timed when Fly does not yet call the machine healthy (its healthy
  /// moment is still to be seen), when it has no checks and no own probe (healthy at
  /// `started`), or when the passing checks' `updated_at` (at or after `started`) bounds the
  /// healthy moment, which then ends the cold start. A machine found already healthy with no
  /// such bound adds no cold start: the moment flywatch looked times nothing. Events are
  /// "new" when newer than the newest event seen by earlier calls; exits are reported only when
  /// new, so the exits already in the log at first sighting are history and not reported.
  ///
  /// Booting grace: within the cold-start SLO after a start, Fly's checks lag behind the app
  /// (critical until it listens, then passing only at the next check run). Then a passing own
  /// probe alone makes a started machine `healthy`, a critical check alone leaves it `started`
  /// (not `unhealthy`), and a failing own probe still makes it `unhealthy`.
  MachineUpdate observe(const MachineSnapshot& m, OwnProbe own_probe,
                        std::chrono::system_clock::time_point now);

  void set_limits(LifecycleLimits limits) { limits_ = limits; }
  bool seen() const { return seen_; }
  MachineState state() const { return state_; }
  /// When the current state began.
  std::chrono::system_clock::time_point since() const { return since_; }
  /// The cold start in progress, if any.
  const std::optional<ColdStartEpisode>& cold_start() const { return episode_; }
  /// Why the machine is in its state, when the state alone does not say (see
  /// MachineTransition::reason); from the latest observation.
  const std::string& reason() const { return reason_; }
  /// The latest observation showed the machine cordoned (no traffic routed to it).
  bool cordoned() const { return cordoned_; }

 private:
  void first_sighting(const MachineSnapshot& m, OwnProbe own_probe, MachineState s,
                      std::chrono::system_clock::time_point now, MachineUpdate& out);
  MachineState booting_grace(const MachineSnapshot& m, MachineState s, OwnProbe own_probe,
                             std::chrono::system_clock::time_point now) const;
  void created_too_long(const MachineSnapshot& m, std::chrono::system_clock::time_point now,
                        MachineUpdate& out);
  void change(const MachineSnapshot& m, OwnProbe own_probe, MachineState to,
              std::chrono::system_clock::time_point now, MachineUpdate& out);
  void progress(const MachineSnapshot& m, std::chrono::system_clock::time_point at,
                std::chrono::system_clock::time_point now, MachineUpdate& out);

  LifecycleLimits limits_;
  bool seen_ = false;
  MachineState state_ = MachineState::unknown;
  std::chrono::system_clock::time_point since_{};
  std::int64_t last_event_ms_ = 0;
  bool stuck_reported_ = false;
  std::optional<ColdStartEpisode> episode_;
  std::optional<std::chrono::system_clock::time_point> last_start_;  ///< of the latest cold start
  /// On first sighting: the healthy moment the checks' updated_at bound (see observe()).
  std::optional<std::chrono::system_clock::time_point> healthy_hint_;
  std::string reason_;
  bool cordoned_ = false;
  std::optional<std::chrono::system_clock::time_point> created_since_;  ///< Fly state `created`
  bool created_reported_ = false;
};

/// What one poll of an app changed.
struct FleetUpdate {
  std::map<std::string, MachineUpdate> machines;  ///< only machines whose update is not empty
  std::vector<std::string> appeared;
  std::vector<std::string> disappeared;  ///< gone from the list; forgotten
  std::vector<std::string> destroyed;    ///< seen destroyed/destroying; reported, then forgotten
  std::array<int, machine_state_count> counts{};  ///< tracked machines per state, by enum value
  bool asleep = false;  ///< at least one machine, every one stopped or suspended

  int count(MachineState s) const { return counts[static_cast<std::size_t>(s)]; }
};

/// Tracks the machines of one app across polls.
class AppFleet {
 public:
  explicit AppFleet(LifecycleLimits limits = {}) : limits_(limits) {}

  /// Records one list of the app's machines at `now`. `own_probe` holds the own per-machine
  /// probe's verdict by machine id (absent: OwnProbe::none). Machines of ignored process groups
  /// are skipped; a machine first seen destroyed is not tracked.
  FleetUpdate observe(const std::vector<MachineSnapshot>& machines,
                      const std::map<std::string, OwnProbe>& own_probe,
                      std::chrono::system_clock::time_point now);

  void set_limits(LifecycleLimits limits);
  const std::map<std::string, MachineLifecycle>& machines() const { return machines_; }

 private:
  LifecycleLimits limits_;
  std::map<std::string, MachineLifecycle> machines_;
};

}  // namespace flywatch::core
