#pragma once
/// Turns what the engine sees into alert notifications (DESIGN §7). Feeds an AlertBook with
/// every target result and every fleet evaluation, fires what its `for` allows when its deadline
/// comes (a timer), holds notifications back during maintenance windows and sends those still
/// firing when the window ends, keeps flywatch_alerts_firing, and logs one line per alert event.
/// Inhibition (`alerts.inhibit`) is decided by a core::InhibitionBook fed with every `firing`
/// and `resolved`: an inhibited alert is tracked and counted but not paged, held or repeated; one
/// released while still firing and never paged is paged then.
/// What is to be sent goes to the publisher (the delivery side) together with the state to
/// persist. Runs on the io_context thread.

#include <chrono>
#include <cstdint>
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
#include "core/alert_book.hpp"
#include "core/alert_gate.hpp"
#include "core/alert_listing.hpp"
#include "core/alert_rules.hpp"
#include "core/inhibition_book.hpp"
#include "core/machine_alert_state.hpp"
#include "core/maintenance.hpp"
#include "core/probe_result.hpp"
#include "engine/events.hpp"
#include "log/logger.hpp"
#include "metrics/metrics.hpp"

namespace flywatch::engine {

class AlertCenter {
 public:
  using time_point = std::chrono::system_clock::time_point;
  /// Receives the events to notify, in order, at once; and, at most every `state_delay` while
  /// alerts change (and at stop()), the alerts firing now to persist (then `events` may be
  /// empty). Building the state is O(alerts): doing it per event would make a mass outage
  /// quadratic.
  using Publish = std::function<void(const std::vector<core::AlertEvent>& events,
                                     std::optional<std::vector<alert::PersistedAlert>> state)>;
  static constexpr std::chrono::milliseconds state_delay{200};

  AlertCenter(boost::asio::io_context& io, metrics::Metrics& metrics, log::Logger& log);
  AlertCenter(const AlertCenter&) = delete;
  AlertCenter& operator=(const AlertCenter&) = delete;

  /// Without a publisher alerts are still evaluated, logged and counted.
  void set_publisher(Publish publish) { publish_ = std::move(publish); }

  /// Applies rules, repeat interval, maintenance windows and inhibit rules. Alerts of targets,
  /// apps or journeys no longer configured, of disabled rules, or whose severity changed are
  /// resolved. `bound` are the targets probed through an app's machines: they never flap, so a
  /// TargetFlapping of theirs resolves and their TargetDown is no longer held (a reload may bind
  /// a flapping target). `owners` gives the app of targets and journeys for inhibit rules that
  /// compare `app`.
  void apply(const config::AlertsConfig& cfg, const std::set<std::string, std::less<>>& targets,
             const std::set<std::string, std::less<>>& apps,
             const std::set<std::string, std::less<>>& bound,
             const std::set<std::string, std::less<>>& journeys, time_point now,
             const core::InhibitAppMap& owners = {});

  /// Re-creates the alerts firing before a restart (see AlertBook::restore): each is resolved
  /// unless seen again within `grace`. Call after the first apply(), before any observation.
  void restore(const std::vector<alert::PersistedAlert>& alerts, std::chrono::milliseconds grace,
               time_point now);

  /// One recorded probe result (its target's health and flapping already updated):
  /// TargetDown, TargetFlapping and, when the result carries a certificate, CertExpiringSoon. A
  /// target probed through an app's machines (`bound`) gets only CertExpiringSoon here: its
  /// per-machine results interleave, so its TargetDown comes from observe_fleet() instead, and
  /// it is not judged for flapping (machines that disagree are not a flapping target).
  void observe_target(const ProbeRecorded& e);

  /// One recorded journey run (its health already updated): JourneyFailing.
  void observe_journey(const JourneyRecorded& e);
  /// One observation of an app's releases: ReleaseFailed while its latest release command's
  /// failure stands.
  void observe_release(const ReleaseObserved& e);

  /// What an app watch knows beyond its fleet, for one evaluation (see engine::FleetVerdicts).
  using FleetVerdicts = engine::FleetVerdicts;

  /// One evaluation of an app's fleet: machine alerts from `update` and the tracked machines,
  /// AppNoHealthyMachines from the counts, TargetDown of the app's target. `regions` maps
  /// machine ids to regions.
  void observe_fleet(const std::string& app, const core::FleetUpdate& update,
                     const core::AppFleet& fleet, const std::map<std::string, std::string>& regions,
                     const FleetVerdicts& verdicts, time_point now);

  /// The firing alerts whose `firing` reached the sinks (for sinks that want re-sends).
  std::vector<core::Alert> notified_firing() const;
  /// The alerts firing now, as persisted.
  std::vector<alert::PersistedAlert> state() const;
  /// The alerts firing now for /api/v1/status: sent, held by a window or inhibited.
  std::vector<core::AlertListing> listing() const {
    return core::list_alerts(book_, gate_, inhibition_);
  }

  const core::AlertRules& rules() const { return rules_; }
  /// Stops the timers, publishing the state first if it changed since the last publication.
  void stop();

 private:
  struct TrackedMachine {
    core::MachineAlertState state;
    std::string region;  ///< as labelled when first seen: a resolve must carry the same labels
  };

  /// Has the gate send, hold or drop each event; logs it, updates the metric, publishes,
  /// re-arms. Does nothing more than that when neither events came nor the book changed (unless
  /// `force`).
  void handle(std::vector<core::AlertEvent> events, time_point now, bool force = false);
  /// Has the gate decide one event that is not inhibited; logs it; adds what to send to `send`.
  void decide(core::AlertEvent e, time_point now, std::vector<core::AlertEvent>& send);
  /// Acts on what the inhibition book says changed: an inhibited alert leaves the gate's held
  /// set and is logged and counted; a released one never paged is decided (paged or held).
  void act(const core::InhibitionChanges& changes, time_point now,
           std::vector<core::AlertEvent>& send);
  void count_firing(const core::AlertEvent& e, int delta);
  void schedule_state();
  void log_event(const core::AlertEvent& e, const char* msg, core::LogLevel level,
                 core::LogFields extra = {}) const;
  void set_metric(const std::string& alertname) const;
  void rearm(time_point now, bool full);

  boost::asio::io_context& io_;
  metrics::Metrics& metrics_;
  log::Logger& log_;
  Publish publish_;
  boost::asio::steady_timer timer_;
  bool stopped_ = false;
  std::optional<time_point> armed_;  ///< what the timer waits for
  boost::asio::steady_timer state_timer_;
  bool state_dirty_ = false;
  bool state_scheduled_ = false;
  std::uint64_t seen_changes_ = ~std::uint64_t{0};  ///< book_.changes() at the last handle()

  core::AlertRules rules_;
  core::MaintenanceSchedule maintenance_;
  core::AlertBook book_;
  core::AlertGate gate_;  ///< what was published (notified) or held back by a window
  core::InhibitionBook inhibition_;  ///< which firing alerts are inhibited
  std::map<std::string, int, std::less<>> firing_counts_;  ///< by alertname
  std::map<std::string, std::map<std::string, TrackedMachine>> machines_;  ///< app → id → …
};

}  // namespace flywatch::engine
