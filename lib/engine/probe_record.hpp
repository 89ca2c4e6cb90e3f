#pragma once
/// Records one probe result of a target and publishes it. Shared by the scheduler (a target
/// probed on its own) and the Fly app watches (a target probed through an app's machines).

#include <chrono>

#include <boost/asio/awaitable.hpp>

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

/// core::evaluate(result, expect, now), run on the worker pool when it runs a regular expression
/// (core::evaluation_runs_regex) on a maybe hostile answer, so a pathological pattern costs the
/// worker thread (until Boost.Regex gives up: reason body, "gave up"), never the event loop;
/// otherwise at once. The caller resumes on its own executor. The worker gets copies of
/// `result` and `expect`.
boost::asio::awaitable<core::Verdict> evaluate_off_loop(const core::ProbeResult& result,
                                                        const core::Expectation& expect,
                                                        std::chrono::system_clock::time_point now);

/// record_probe() without the evaluation: records `verdict` of `result` in `t` at `now` and
/// publishes its ProbeRecorded (for callers, and tests, that already hold a verdict).
void record_verdict(TargetRuntime& t, const core::ProbeResult& result, const core::Verdict& verdict,
                    std::chrono::system_clock::time_point now, const EventBus& events,
                    const core::LogFields& context = {});

}  // namespace flywatch::engine
