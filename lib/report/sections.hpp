#pragma once
/// The status page's sections, each a <section> of the page body (status_page.cpp puts them
/// together). Internal to lib/report.

#include <boost/json/object.hpp>

#include "report/page_parts.hpp"

namespace flywatch::report::detail {

/// "Firing alerts": name, severity, labels, summary, since when.
void render_alerts(Html& h, const boost::json::object& status, time_point now);
/// "Targets": name, state, last probe's result and reason, latency, when.
void render_targets(Html& h, const boost::json::object& status, time_point now);
/// "Journeys": name, state, the failing step, the last run's reason, duration, when.
void render_journeys(Html& h, const boost::json::object& status, time_point now);
/// "Fly apps": per app its sleep, API and release, then each machine's id, state, region and
/// health (its own probe).
void render_apps(Html& h, const boost::json::object& status, time_point now);
/// "Recent cold starts": app, machine, region, kind, boot, ready, total, outcome, when.
void render_cold_starts(Html& h, const boost::json::object& status, time_point now);

}  // namespace flywatch::report::detail
