#pragma once
/// Where a journey bound to a Fly app (`app:`) runs, DESIGN §12: through one started machine of
/// the app (`fly-force-instance-id` on every step), under the app's sleep policy. Pure.

#include <map>
#include <string>

#include "core/machine_state.hpp"
#include "core/sleep_policy.hpp"

namespace flywatch::core {

/// What to do with one run.
struct JourneyRoute {
  enum class Kind {
    machine,  ///< run it, forced to `machine`
    public_url,  ///< run it through the public URL without forcing (wakes the app)
    skip,     ///< do not run it now; `why` says why (for the status API and a debug line)
  };
  Kind kind = Kind::skip;
  std::string machine;
  std::string why;
};

/// Chooses for one run: a healthy machine first, else a started one (booted, not yet judged),
/// else an unhealthy one (it still serves users, so the journey shows what they get) — the
/// lowest id among equals, so consecutive runs keep to one machine. With none of those: when
/// the app is asleep (every machine stopped or suspended) `skip` unless `action` is probe (then
/// the public URL: it wakes the app, as its owner asked); otherwise (machines starting, or none
/// listed yet) skip this run.
JourneyRoute route_journey(const std::map<std::string, MachineState>& machines, bool asleep,
                           AsleepAction action);

}  // namespace flywatch::core
