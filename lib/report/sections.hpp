#pragma once
/// The status page's sections, each a <section> of the page body (status_page.cpp puts them
/// together). Internal to lib/report.

#include <functional>
#include <string_view>

#include <boost/json/object.hpp>

#include "report/page_parts.hpp"

namespace flywatch::report::detail {

/// A section that is one table over a list of the status document.
struct TableSection {
  std::string_view id;       ///< the <section>'s id (a literal)
  std::string_view title;    ///< its <h2> (a literal)
  std::string_view empty;    ///< what it says when the list is empty (a literal)
  std::string_view headers;  ///< the table's headers, '|'-separated literals
};

/// Writes `section` over `list`: `row` is called with each object of the list (other values are
/// skipped) between the table's head and its end, or the `empty` sentence stands alone.
void render_table_section(Html& h, const boost::json::array& list, const TableSection& section,
                          const std::function<void(const boost::json::object&)>& row);

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
