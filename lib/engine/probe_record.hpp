#pragma once
/// Records one probe result of a target: its series, its health, its log lines. Shared by the
/// scheduler (a target probed on its own) and the Fly app watches (a target probed through an
/// app's machines).

#include "core/expectation.hpp"
#include "core/log_line.hpp"
#include "core/probe_result.hpp"
#include "engine/alert_center.hpp"
#include "engine/target_runtime.hpp"
#include "log/logger.hpp"
#include "metrics/metrics.hpp"

namespace flywatch::engine {

/// Evaluates `result` against the target's expectations, counts it in the target's series,
/// feeds the target's health (logging a change of state), logs a new kind of failure at warn,
/// stores it as the target's last outcome, and has `alerts` judge it. `context` is appended to
/// every log line (e.g. `machine` and `region` for a per-machine probe). Returns the verdict.
core::Verdict record_probe(TargetRuntime& t, const core::ProbeResult& result,
                           metrics::Metrics& metrics, log::Logger& log, AlertCenter& alerts,
                           const core::LogFields& context = {});

}  // namespace flywatch::engine
