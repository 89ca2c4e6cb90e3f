#pragma once
/// `flywatch check` for Fly apps: one poll of each app's machines, one probe per started machine
/// (fly-force-instance-id), and the machine table. The sleep policy holds here too: an asleep
/// app is only probed (and so woken) under `when_asleep: probe`.

#include <optional>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/json/object.hpp>

#include "config/config.hpp"
#include "core/machine_lifecycle.hpp"
#include "check/check.hpp"
#include "net/http_client.hpp"
#include "net/prober.hpp"

namespace flywatch::check {

struct MachineCheckRow {
  std::string id;
  std::string region;
  std::string fly_state;  ///< Fly's state string as listed
  /// DESIGN §5's state, refined by this run's probe (a one-shot probe has no thresholds).
  core::MachineState state = core::MachineState::unknown;
  std::optional<CheckRow> probe;  ///< for started machines of an app with a target
  /// Why the state, when the state alone does not say (core::state_reason): a host problem for
  /// `unknown`, "cordoned" for a cordoned started machine.
  std::string reason;
  /// No failing probe; not failed, unhealthy, or unknown because its host is not ok.
  bool passed() const;
};

struct AppCheck {
  std::string app;
  std::string target;  ///< empty when the app names none
  bool api_ok = false;
  std::string api_code;   ///< fly::PollOutcome::code
  std::string api_error;  ///< empty when api_ok
  bool asleep = false;    ///< at least one machine, every one stopped or suspended
  std::vector<MachineCheckRow> machines;  ///< without release-command and console machines
  std::optional<CheckRow> app_probe;      ///< the public URL, for an asleep app under `probe`
  /// The API answered, every machine passed (MachineCheckRow::passed) and every probe passed.
  bool passed() const;
};

/// Checks every app of cfg.fly (none without a fly section) concurrently; runs `io` until all
/// are done. Results are in config order. `prober` probes the machines, `http` asks the Fly
/// Machines API for them.
std::vector<AppCheck> run_app_checks(boost::asio::io_context& io, net::Prober& prober,
                                     net::HttpClient& http, const config::Config& cfg);

/// The machine table (APP, MACHINE, REGION, STATE, PROBE, STATUS, TIME, DETAIL) and a summary
/// line; empty when there are no apps.
std::string format_app_table(const std::vector<AppCheck>& apps);

/// `[{"app","target","ok","api":{"ok","code","error"},"asleep","machines":[{"id","region",
/// "fly_state","state","ok","probe":{…}|null}],"app_probe":{…}|null}]`.
boost::json::array apps_json(const std::vector<AppCheck>& apps);

bool all_passed(const std::vector<AppCheck>& apps);

struct JourneyCheck;

/// format_check_json's document with `"apps": apps_json(apps)` and `"journeys":
/// journeys_json(journeys)` (check_journeys.hpp); `ok` covers targets, apps and journeys.
std::string format_check_json(const std::vector<CheckRow>& rows, const std::vector<AppCheck>& apps,
                              const std::vector<JourneyCheck>& journeys);

}  // namespace flywatch::check
