#pragma once
/// The engine's one event path (DESIGN §1): the scheduler, the probe recorder and the app
/// watches publish typed facts to an EventBus; subscribers turn them into metrics (§6), log
/// lines (§8) and alert judgements (§7). Publishers never write metrics, logs or alerts
/// themselves, and no subscriber calls back into a publisher.
///
/// Events are published synchronously on the io_context thread: their references (to the
/// target's runtime, the probe result, the fleet) are valid only during publish().

#include <chrono>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/log_line.hpp"
#include "core/machine_lifecycle.hpp"
#include "core/probe_result.hpp"
#include "core/release_tracker.hpp"
#include "core/verdict.hpp"
#include "engine/journey_runtime.hpp"
#include "engine/target_runtime.hpp"

namespace flywatch::engine {

using EventTime = std::chrono::system_clock::time_point;

/// A target's health changed with a result (carried by the ProbeRecorded that caused it, so
/// subscribers report it after the result and before judging alerts).
struct TargetStateChanged {
  core::TargetState from;
  core::TargetState to;
  std::optional<core::FailureReason> reason;  ///< of the failing result; nullopt when it passed
};

/// One probe result of a target, recorded (TargetRuntime::record already ran: `target` shows
/// the state after it).
struct ProbeRecorded {
  const TargetRuntime& target;
  const core::ProbeResult& result;
  const core::Verdict& verdict;
  const core::LogFields& context;  ///< appended to log lines, e.g. app, machine, region
  core::FailureReason previous_failure;  ///< the target's last failure before this result
  std::optional<TargetStateChanged> state_change;
  EventTime at;
};

/// A target of the config is new (its series exist from the start).
struct TargetAdded { const std::string& target; };
/// A target's probe changed on reload: the old runtime and its series go, a TargetAdded follows.
struct TargetChanged { const std::string& target; };
/// A target left the config.
struct TargetRemoved { const std::string& target; };
/// An app left the config.
struct AppRemoved { const std::string& app; };

/// One journey run, recorded (JourneyRuntime::record already ran).
struct JourneyRecorded {
  const JourneyRuntime& journey;
  const journey::JourneyOutcome& outcome;
  const core::LogFields& context;  ///< app, machine when it ran through one
  std::string previous_failure;    ///< "step/reason" of the run before ("" after a pass)
  std::optional<TargetStateChanged> state_change;
  EventTime at;
};
/// One good list of an app's machines, as its releases saw it (AppReleases): a release, release
/// commands that exited, and what stands now.
struct ReleaseObserved {
  const std::string& app;
  const core::ReleaseUpdate& update;
  const std::optional<core::AppRelease>& current;
  const std::optional<core::ReleaseCommandExit>& failure;
  EventTime at;
};

/// A journey of the config is new.
struct JourneyAdded { const std::string& journey; };
/// A journey left the config, or changed so that its series start afresh.
struct JourneyRemoved { const std::string& journey; };

/// Scheduled runs of a target that did not happen.
struct ProbeRunsSkipped {
  const std::string& target;
  bool late;  ///< true: the loop was late by `count` runs; false: the last run was still going
  std::uint64_t count;
};
/// Seconds between a run's due time and its start.
struct SchedulerLateness { double seconds; };

/// What an app watch knows beyond its fleet, for one evaluation of the alerts.
struct FleetVerdicts {
  /// Machines not judged yet (started, own probe not answered; or starting within the
  /// cold-start SLO): they may still turn healthy, so their MachineUnhealthy and, while no
  /// machine is healthy, AppNoHealthyMachines are left as they were (unknown, not cleared).
  std::set<std::string> undecided;
  bool wake_failed = false;  ///< the latest wake_every probe failed
  /// The app's target (empty: none) and whether it is down: true when every machine probed
  /// for it has a failing own probe, false when one passes or none is started, nullopt while
  /// that is not known yet (its TargetDown stays as it was).
  std::string target;
  std::optional<bool> target_down;
  std::string target_reason;  ///< the latest failure's reason, for the description
};

/// One observation of an app's machines. `fleet` is the tracker after `update`; `regions`
/// maps machine ids to regions (machines gone from the list keep theirs).
struct FleetUpdated {
  const std::string& app;
  const core::FleetUpdate& update;
  const core::AppFleet& fleet;
  const std::map<std::string, std::string>& regions;
  const FleetVerdicts& verdicts;
  std::optional<bool> asleep_changed;  ///< the app fell asleep (true) or woke (false)
  EventTime at;
};

/// An own probe of one machine was judged (`ok`: passed, with a cold start's tolerance).
struct MachineProbed {
  const std::string& app;
  const std::string& machine;
  const std::string& region;
  bool ok;
};
/// The app's target changed or went: its per-machine verdicts start afresh.
struct MachineProbesCleared { const std::string& app; };
/// A wake_every probe of an asleep app through its public URL ended.
struct AppWakeEnded {
  const std::string& app;
  const core::Verdict& verdict;
  std::chrono::nanoseconds duration;
};

/// One Machines API request ended with `code` ("ok" or a failure code).
struct FlyApiAnswered { const std::string& app; const std::string& code; };
/// A list succeeded after failures.
struct FlyApiRecovered { const std::string& app; };
/// A list answer had a field the client skipped.
struct FlyApiFieldSkipped { const std::string& app; const std::string& warning; };
/// A list failed; `news` when its code differs from the last failure's.
struct FlyApiFailed {
  const std::string& app;
  const std::string& code;
  const std::string& error;
  std::chrono::milliseconds retry_in;
  bool news;
};
/// A wait for a machine's start failed; `refused` the first time the API refused it.
struct FlyWaitFailed {
  const std::string& app;
  const std::string& machine;
  const std::string& code;
  const std::string& error;
  bool refused;
};

/// A purely operational line with no metric or alert behind it (an unexpected exception).
struct Notice {
  core::LogLevel level;
  std::string_view msg;
  const core::LogFields& fields;
};

/// Receives events; each handler defaults to ignoring its event.
class EventSubscriber {
 public:
  virtual ~EventSubscriber() = default;
  virtual void on(const ProbeRecorded&) {}
  virtual void on(const TargetAdded&) {}
  virtual void on(const TargetChanged&) {}
  virtual void on(const TargetRemoved&) {}
  virtual void on(const AppRemoved&) {}
  virtual void on(const JourneyRecorded&) {}
  virtual void on(const ReleaseObserved&) {}
  virtual void on(const JourneyAdded&) {}
  virtual void on(const JourneyRemoved&) {}
  virtual void on(const ProbeRunsSkipped&) {}
  virtual void on(const SchedulerLateness&) {}
  virtual void on(const FleetUpdated&) {}
  virtual void on(const MachineProbed&) {}
  virtual void on(const MachineProbesCleared&) {}
  virtual void on(const AppWakeEnded&) {}
  virtual void on(const FlyApiAnswered&) {}
  virtual void on(const FlyApiRecovered&) {}
  virtual void on(const FlyApiFieldSkipped&) {}
  virtual void on(const FlyApiFailed&) {}
  virtual void on(const FlyWaitFailed&) {}
  virtual void on(const Notice&) {}
};

/// Hands every published event to each subscriber, synchronously, in subscription order (the
/// engine subscribes metrics, then logs, then alerts: a state change is counted and logged
/// before the alert judgement it leads to).
class EventBus {
 public:
  /// `s` must outlive the bus or be unsubscribed first.
  void subscribe(EventSubscriber& s) { subscribers_.push_back(&s); }
  void unsubscribe(EventSubscriber& s) { std::erase(subscribers_, &s); }

  template <class Event>
  void publish(const Event& e) const {
    for (EventSubscriber* s : subscribers_) s->on(e);
  }

 private:
  std::vector<EventSubscriber*> subscribers_;
};

}  // namespace flywatch::engine
