#pragma once
/// The lifecycle of Fly Machines (DESIGN §5) as value types: one poll of the Machines API in,
/// what changed out. Time is always an argument; nothing here reads a clock or does I/O.

#include "core/machine.hpp"
#include "core/machine_state.hpp"
#include "core/machine_update.hpp"

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace flywatch::core {

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
