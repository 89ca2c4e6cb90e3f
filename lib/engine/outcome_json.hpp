#pragma once
/// A probe's outcome as JSON, with the same keys wherever it is shown: a target's and an app's
/// last probes in /api/v1/status, and each probe of `flywatch check --json` (lib/check); and a
/// journey run's, wherever one is shown.

#include <chrono>
#include <optional>

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "core/expectation.hpp"
#include "engine/journey_runtime.hpp"
#include "engine/target_runtime.hpp"

namespace flywatch::engine {

/// Appends "success", "reason", "error" (the verdict's detail), "status_code" (0 when no
/// response line was read; null for kinds without HTTP, tcp:// and tls://) and
/// "duration_seconds", in that order, to `o`.
void put_outcome(boost::json::object& o, const core::Verdict& verdict,
                 std::optional<int> status_code, std::chrono::nanoseconds duration);

/// `last` as put_outcome's members followed by "connection" ("reused" when the probe ran on a
/// kept-alive connection of `connection: reuse`, "new" when it opened one, null when it made
/// none) and "at" (RFC 3339 with milliseconds), or null when there is none yet.
boost::json::value outcome_json(const std::optional<LastOutcome>& last);

/// A journey run: put_outcome's members for the whole run (the failed step's verdict, status
/// code null, the whole duration), "failed_step" (null when it passed) and "steps":
/// [{"name", put_outcome's members}] for each step that ran. Details are already redacted.
boost::json::object journey_run_json(const journey::JourneyOutcome& outcome);

/// `last` as journey_run_json plus "machine" (null when none) and "at", or null when none yet.
boost::json::value journey_outcome_json(const std::optional<JourneyLast>& last);


}  // namespace flywatch::engine
