#pragma once
/// The Fly Proxy's routing decision for one edge request at one instant, and what the app on
/// the chosen machine answers (reference §3.2, §3.4). No I/O and no clock: the edge calls these
/// with the time, again and again while it holds a request.

#include <cstdint>
#include <string>
#include <vector>

#include "app_http.hpp"
#include "sim_machine.hpp"

namespace flywatch::flysim {

/// What the edge does with a request right now.
struct RouteDecision {
  enum class Kind {
    serve,            ///< answer as the app on `machine`
    hold,             ///< a machine is on its way up: ask again shortly (until the hold limit)
    unavailable,      ///< no machine could ever serve: 503 at once
    unknown_machine,  ///< fly-force-instance-id names no machine of the app: 404
  };
  Kind kind = Kind::hold;
  std::string machine;  ///< the machine's id when `kind` is serve
};

/// Routing without fly-force-instance-id, over the machines of process group "app": a healthy
/// machine serves; else, while one is starting or booting its app, hold; else start the first
/// stopped/suspended/created one and hold; else a machine whose app is up but unhealthy serves
/// (its 503 is the best answer there is); else unavailable. Advances every machine to `now_ms`.
RouteDecision route_any(std::vector<SimMachine>& machines, std::int64_t now_ms);

/// Routing with `fly-force-instance-id: id` (any process group, no fallback): unknown id →
/// unknown_machine; app up (healthy or not) → serve; stopped/suspended/created → start it and
/// hold; any other state (starting, booting, stopping, …) → hold.
RouteDecision route_forced(std::vector<SimMachine>& machines, const std::string& id,
                           std::int64_t now_ms);

/// What Medio's backend on `m` (app up) answers at `now_ms`, as its Node API does (DESIGN.md):
/// healthy → 200 {"status":"ok","database":"connected","timestamp":RFC 3339,"machine":id,
/// "region":…,"app":…}; otherwise 503 {"status":"error","database":"disconnected",…same}.
AppAnswer app_answer(const SimMachine& m, const std::string& app, std::int64_t now_ms);

}  // namespace flywatch::flysim
