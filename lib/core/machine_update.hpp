#pragma once
/// What one observation of a Fly Machine reports (DESIGN §5): state transitions, exits, cold
/// start episodes, stuck machines, and the limits that time them. Plain values; MachineLifecycle
/// (machine_lifecycle.hpp) produces them.

#include "core/machine_state.hpp"

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace flywatch::core {

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
  /// total() when the start is known (not boot_unknown), else nullopt: a total counted from
  /// `started` would pull phase="total" down, so the metrics and the status document leave it out.
  std::optional<std::chrono::milliseconds> known_total() const;
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


}  // namespace flywatch::core
