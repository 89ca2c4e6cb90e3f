#pragma once
/// Turns what one observation of an app's machines changed (core::FleetUpdate) into the machine
/// metrics of DESIGN §6 and the log lines of DESIGN §8: one line per transition, per exit, per
/// finished, slow or abandoned cold start, per stuck machine.

#include <chrono>
#include <map>
#include <string>

#include "core/machine_lifecycle.hpp"
#include "log/logger.hpp"
#include "metrics/fleet_metrics.hpp"

namespace flywatch::engine {

/// Reports `update` of `app`. `fleet` is the tracker after the update (its machines' current
/// states set flywatch_machine_state); `regions` maps machine ids to regions (machines gone from
/// the list keep the region they had). `now` times slow and stuck reports.
void report_fleet_update(const std::string& app, const core::FleetUpdate& update,
                         const core::AppFleet& fleet,
                         const std::map<std::string, std::string>& regions,
                         std::chrono::system_clock::time_point now, metrics::FleetMetrics& metrics,
                         log::Logger& log);

}  // namespace flywatch::engine
