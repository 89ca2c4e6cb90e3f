#pragma once
/// `flywatch check` for journeys: each journey of the config run once, a line per step. A
/// journey bound to an app runs through the machine core::route_journey picks from the app's
/// check (run_app_checks), under its sleep policy: an asleep app's journey is skipped, not
/// failed, unless `when_asleep: probe`.

#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/json/array.hpp>

#include "check/check_apps.hpp"
#include "config/config.hpp"
#include "journey/journey_runner.hpp"
#include "net/prober.hpp"

namespace flywatch::check {

struct JourneyCheck {
  std::string journey;
  std::string app;      ///< "" when the journey names none
  std::string machine;  ///< the machine it ran through ("" for none)
  std::string skipped;  ///< why it did not run ("" when it ran)
  journey::JourneyOutcome outcome;
  /// Ran and passed, or was skipped by the sleep policy.
  bool passed() const { return !skipped.empty() || outcome.passed; }
};

/// Runs every journey of `cfg` once, concurrently, through `prober`; `apps` are the results of
/// run_app_checks for the same config (their machines' states pick the machine). Runs `io`
/// until all are done. Results in config order.
std::vector<JourneyCheck> run_journey_checks(boost::asio::io_context& io, net::Prober& prober,
                                             const config::Config& cfg,
                                             const std::vector<AppCheck>& apps);

/// JOURNEY, STEP, RESULT, STATUS, TIME, REASON: a line per step that ran, a line for a skipped
/// journey; then a summary line. Empty when there are no journeys.
std::string format_journey_table(const std::vector<JourneyCheck>& journeys);

/// `[{"name","app","machine","skipped", engine::journey_run_json's members}]` ("app",
/// "machine" and "skipped" null when empty; a skipped journey has no run members).
boost::json::array journeys_json(const std::vector<JourneyCheck>& journeys);

bool all_passed(const std::vector<JourneyCheck>& journeys);

}  // namespace flywatch::check
