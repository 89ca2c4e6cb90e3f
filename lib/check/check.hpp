#pragma once
/// `flywatch check`: probe every target once, concurrently, and report.

#include <optional>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/json/value.hpp>

#include "config/config.hpp"
#include "core/expectation.hpp"
#include "core/probe_result.hpp"
#include "net/prober.hpp"

namespace flywatch::check {

struct CheckRow {
  std::string target;
  std::string url;
  core::ProbeResult result;
  core::Verdict verdict;
};

/// Probes every target of `cfg` once through `prober` (at most cfg.engine.max_in_flight at a
/// time) and returns one row per target, in config order; targets named by a Fly app are left
/// to run_app_checks (check_apps.hpp). Runs `io` until all are done.
std::vector<CheckRow> run_checks(boost::asio::io_context& io, net::Prober& prober,
                                 const config::Config& cfg);

/// A fixed-width table for people: TARGET, RESULT, STATUS, TIME, REASON/DETAIL; then a summary line.
std::string format_check_table(const std::vector<CheckRow>& rows);

/// `{"ok":bool,"targets":[{"name","success","reason","error","status_code",
/// "duration_seconds","phases":{…},"cert_not_after"}],"apps":[],"journeys":[]}` (with apps and
/// journeys: check_apps.hpp).
std::string format_check_json(const std::vector<CheckRow>& rows);

/// True when every row succeeded.
bool all_passed(const std::vector<CheckRow>& rows);

/// The probe of a check row as engine::put_outcome's members, or null when there was no probe.
boost::json::value outcome_json(const std::optional<CheckRow>& row);

}  // namespace flywatch::check
