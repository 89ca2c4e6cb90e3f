#pragma once
/// Turns what one observation of an app's machines changed (a FleetUpdated event) into the
/// machine metrics of DESIGN §6 and the log lines of DESIGN §8: one line per transition, per
/// exit, per finished, slow or abandoned cold start, per stuck machine. Used by the metrics and
/// log subscribers.

#include "engine/events.hpp"
#include "log/logger.hpp"
#include "metrics/fleet_metrics.hpp"

namespace flywatch::engine {

/// Counts transitions and cold starts of `e`, drops the series of destroyed or gone machines,
/// and sets every tracked machine's flywatch_machine_state and the app's counts and sleep.
void count_fleet_update(const FleetUpdated& e, metrics::FleetMetrics& metrics);

/// Logs `e`: appeared machines, then per machine its exits, transitions and cold starts, then
/// destroyed and gone machines. `e.at` times slow and stuck reports.
void log_fleet_update(const FleetUpdated& e, log::Logger& log);

}  // namespace flywatch::engine
