#pragma once
/// Releases of a Fly app (research §3, DESIGN §7 ReleaseFailed) as a value fed with each list of
/// its machines: which release the app's machines run (the highest `fly_release_version`, with
/// its image), when that changes, and how each release command — the `fly_app_release_command`
/// machine that runs the migrations before a deploy — ended. Pure: no clock, no I/O.

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/machine.hpp"

namespace flywatch::core {

/// The release an app's machines run.
struct AppRelease {
  std::string version;  ///< fly_release_version ("" when the API sends none)
  std::string image;
  bool operator==(const AppRelease&) const = default;
};

/// How one release command ended.
struct ReleaseCommandExit {
  std::string machine;
  int exit_code = 0;
  bool oom_killed = false;
  std::int64_t at_ms = 0;  ///< the exit event's time
  bool failed() const { return oom_killed || exit_code != 0; }
};

/// What one observation changed.
struct ReleaseUpdate {
  /// The app's machines moved to another release (from → to). Not set for the first release
  /// seen: that is where the watch starts, not a deploy.
  std::optional<std::pair<AppRelease, AppRelease>> released;
  /// Release commands whose exit was seen for the first time, oldest first.
  std::vector<ReleaseCommandExit> command_exits;
  /// Release-command machines that left the list before their exit was seen (Fly destroys them
  /// right after): the caller fetches each by id and passes it to observe_command().
  std::vector<std::string> to_fetch;
  bool empty() const { return !released && command_exits.empty() && to_fetch.empty(); }
};

class ReleaseTracker {
 public:
  /// One list of the app's machines.
  ReleaseUpdate observe(const std::vector<MachineSnapshot>& machines);
  /// One release-command machine fetched by id after it left the list (see to_fetch); its exit
  /// is reported once. A machine with no exit event yet stays pending.
  ReleaseUpdate observe_command(const MachineSnapshot& machine);

  /// The release the app's machines run, once seen.
  const std::optional<AppRelease>& current() const { return current_; }
  /// The latest release command's failure, while it stands: cleared by a later command that
  /// exits 0 or by the app's machines moving to a newer release.
  const std::optional<ReleaseCommandExit>& failure() const { return failure_; }

 private:
  void record_exit(const ReleaseCommandExit& exit, ReleaseUpdate& out);

  std::optional<AppRelease> current_;
  std::set<std::string> pending_;   ///< release commands seen without an exit yet
  std::set<std::string> reported_;  ///< release commands whose exit was reported
  std::optional<ReleaseCommandExit> failure_;
  std::int64_t latest_exit_ms_ = 0;  ///< of the newest exit reported: older ones do not override it
};

/// A release-command process group (fly-go's IsReleaseCommandMachine, legacy name included).
bool is_release_command_group(std::string_view group);

/// The newest exit event of `m` (events are listed newest first), or null.
const MachineEvent* latest_exit_event(const MachineSnapshot& m);

}  // namespace flywatch::core
