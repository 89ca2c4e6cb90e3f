#pragma once
/// Turns what the engine sees into alert notifications (DESIGN §7). Feeds an AlertBook with
/// every target result and every fleet evaluation, fires what its `for` allows when its deadline
/// comes (a timer), holds notifications back during maintenance windows and sends those still
/// firing when the window ends, keeps flywatch_alerts_firing, and logs one line per alert event.
/// What is to be sent goes to the publisher (the delivery side) together with the state to
/// persist. Runs on the io_context thread.

#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "alert/alert_state.hpp"
#include "config/config.hpp"
#include "core/alert_rules.hpp"
#include "core/maintenance.hpp"
#include "core/probe_result.hpp"
#include "engine/target_runtime.hpp"
#include "log/logger.hpp"
#include "metrics/metrics.hpp"

namespace flywatch::engine {

class AlertCenter {
 public:
  using time_point = std::chrono::system_clock::time_point;
  /// Receives the events to notify (in order; possibly none when only the state changed) and
  /// the alerts firing now, to persist.
  using Publish = std::function<void(const std::vector<core::AlertEvent>& events,
                                     std::vector<alert::PersistedAlert> state)>;

  AlertCenter(boost::asio::io_context& io, metrics::Metrics& metrics, log::Logger& log);
  AlertCenter(const AlertCenter&) = delete;
  AlertCenter& operator=(const AlertCenter&) = delete;

  /// Without a publisher alerts are still evaluated, logged and counted.
  void set_publisher(Publish publish) { publish_ = std::move(publish); }

  /// Applies rules, repeat interval and maintenance windows. Alerts of targets or apps no longer
  /// configured, of disabled rules, or whose severity changed are resolved.
  void apply(const config::AlertsConfig& cfg, const std::set<std::string, std::less<>>& targets,
             const std::set<std::string, std::less<>>& apps, time_point now);

  /// Re-creates the alerts firing before a restart (see AlertBook::restore): each is resolved
  /// unless seen again within `grace`. Call after the first apply(), before any observation.
  void restore(const std::vector<alert::PersistedAlert>& alerts, std::chrono::milliseconds grace,
               time_point now);

  /// One recorded probe result of `t` (after its health was updated): TargetDown,
  /// TargetFlapping and, when the result carries a certificate, CertExpiringSoon. A target
  /// probed through an app's machines (`t.bound`) is not judged for flapping: machines that
  /// disagree are not a flapping target, and MachineUnhealthy names the bad one.
  void observe_target(TargetRuntime& t, const core::Verdict& verdict,
                      const core::ProbeResult& result, time_point now);

  /// One evaluation of an app's fleet: machine alerts from `update` and the tracked machines,
  /// AppNoHealthyMachines from the counts. `regions` maps machine ids to regions. `undecided`
  /// machines may still become healthy: while there are any and none is healthy, the app is
  /// not judged to have no healthy machine (a failed wake-up still is).
  void observe_fleet(const std::string& app, const core::FleetUpdate& update,
                     const core::AppFleet& fleet, const std::map<std::string, std::string>& regions,
                     bool wake_failed, int undecided, time_point now);

  /// The firing alerts whose `firing` reached the sinks (for sinks that want re-sends).
  std::vector<core::Alert> notified_firing() const;
  /// The alerts firing now, as persisted.
  std::vector<alert::PersistedAlert> state() const;

  const core::AlertRules& rules() const { return rules_; }
  /// Stops the deadline timer.
  void stop();

 private:
  struct TrackedMachine {
    core::MachineAlertState state;
    std::string region;  ///< as labelled when first seen: a resolve must carry the same labels
  };

  /// Sends, holds or drops each event, logs it, updates the metric, publishes, re-arms.
  void handle(std::vector<core::AlertEvent> events, time_point now);
  /// Sends `firing` for alerts held by a window that has ended.
  void release_held(time_point now, std::vector<core::AlertEvent>& out);
  void log_event(const core::AlertEvent& e, const char* msg, core::LogLevel level,
                 const std::string& window = {}) const;
  void update_metrics() const;
  void rearm(time_point now);
  std::optional<time_point> next_release(time_point now) const;
  std::optional<std::string> silenced_by(const core::AlertLabels& labels, time_point now) const;

  boost::asio::io_context& io_;
  metrics::Metrics& metrics_;
  log::Logger& log_;
  Publish publish_;
  boost::asio::steady_timer timer_;
  bool stopped_ = false;
  std::optional<time_point> armed_;  ///< what the timer waits for

  core::AlertRules rules_;
  core::MaintenanceSchedule maintenance_;
  core::AlertBook book_;
  std::set<std::string> notified_;  ///< fingerprints whose `firing` was published, not resolved
  std::map<std::string, std::map<std::string, TrackedMachine>> machines_;  ///< app → id → …
};

}  // namespace flywatch::engine
