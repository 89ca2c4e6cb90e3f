#pragma once
/// Records one probe result of a target and publishes it. Shared by the scheduler (a target
/// probed on its own) and the Fly app watches (a target probed through an app's machines).

#include "core/expectation.hpp"
#include "core/log_line.hpp"
#include "core/probe_result.hpp"
#include "engine/events.hpp"
#include "engine/target_runtime.hpp"

namespace flywatch::engine {

/// Evaluates `result` against the target's expectations, records it in the target's runtime
/// (TargetRuntime::record, the one mutator) and publishes one ProbeRecorded (with the health
/// change it caused) to `events`, which count it, log it and judge its alerts. `context` is
/// appended to every log line (e.g. `machine` and `region` for a per-machine probe). Returns
/// the verdict.
core::Verdict record_probe(TargetRuntime& t, const core::ProbeResult& result,
                           const EventBus& events, const core::LogFields& context = {});

/// record_probe() without the evaluation: records `verdict` of `result` in `t` at `now` and
/// publishes its ProbeRecorded (for callers, and tests, that already hold a verdict).
void record_verdict(TargetRuntime& t, const core::ProbeResult& result, const core::Verdict& verdict,
                    std::chrono::system_clock::time_point now, const EventBus& events,
                    const core::LogFields& context = {});

}  // namespace flywatch::engine
