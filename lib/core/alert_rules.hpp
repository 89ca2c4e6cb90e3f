#pragma once
/// The built-in alert rules (DESIGN §7): their configurable settings (AlertRules) and the
/// builders that turn what the trackers report (TargetHealth, FlappingDetector,
/// MachineLifecycle/AppFleet, cert expiry) into AlertConditions, "condition C for labels L is
/// true/false now", with the labels that identify each alert. AlertBook (alert_book.hpp) tracks
/// what the conditions make. Time is always an argument; nothing here reads a clock or does I/O.

#include "core/alert.hpp"
#include "core/flapping.hpp"
#include "core/machine_lifecycle.hpp"
#include "core/target_health.hpp"

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace flywatch::core {

using AlertAnnotations = std::map<std::string, std::string>;

/// One observation of one alert condition.
struct AlertCondition {
  /// Identity of the alert: `alertname`, `severity` and its `target` or `app`/`machine`/`region`.
  AlertLabels labels;
  bool active = false;           ///< the condition holds at the observation time
  AlertAnnotations annotations;  ///< `summary`, `description`; the latest ones are sent
  /// How long the condition must hold before the alert fires (0: at once).
  std::chrono::milliseconds for_duration{0};
};

/// Whether an app has machines and whether they all sleep, for AppNoHealthyMachines.
enum class AppPresence {
  awake,        ///< has machines, not all stopped or suspended
  asleep,       ///< has machines, every one stopped or suspended
  no_machines,  ///< has none (all destroyed, or not created yet)
};

/// One built-in rule's settings.
struct AlertRule {
  bool enabled = true;  ///< a disabled rule's conditions are always inactive (so it resolves)
  Severity severity = Severity::warning;
  std::chrono::milliseconds for_duration{0};
};

/// The built-in rules with their defaults (DESIGN §7). Every field is meant to be configurable.
struct AlertRules {
  /// Target down (TargetHealth down, i.e. past its failure threshold).
  AlertRule target_down{true, Severity::critical, std::chrono::milliseconds(0)};
  /// Target flapping per FlappingDetector (see `flapping` for its thresholds).
  AlertRule target_flapping{true, Severity::warning, std::chrono::milliseconds(0)};
  FlappingThresholds flapping{};
  /// Serving certificate expires within `cert_expiry_warning`.
  AlertRule cert_expiring_soon{true, Severity::warning, std::chrono::milliseconds(0)};
  std::chrono::milliseconds cert_expiry_warning = std::chrono::hours(24 * 14);
  /// Machine unhealthy for more than `for` (1 min).
  AlertRule machine_unhealthy{true, Severity::warning, std::chrono::minutes(1)};
  /// MachineLifecycle reported the machine stuck in a transient state.
  AlertRule machine_stuck{true, Severity::warning, std::chrono::milliseconds(0)};
  /// Machine in state failed, or an exit with oom_killed; clears when healthy again or gone.
  AlertRule machine_failed{true, Severity::critical, std::chrono::milliseconds(0)};
  /// A cold start over the SLO; clears at the next cold start within the SLO.
  AlertRule cold_start_slow{true, Severity::warning, std::chrono::milliseconds(0)};
  /// Awake app with no healthy machine for more than `for` (1 min), or a failed wake-up.
  AlertRule app_no_healthy_machines{true, Severity::critical, std::chrono::minutes(1)};
  /// A journey failing past its failure threshold (its health down).
  AlertRule journey_failing{true, Severity::critical, std::chrono::milliseconds(0)};
  /// The app's latest release command (its migrations) exited non-zero or was OOM-killed.
  AlertRule release_failed{true, Severity::critical, std::chrono::milliseconds(0)};
  /// How often a firing alert is sent again.
  std::chrono::milliseconds repeat_interval = std::chrono::hours(4);

  /// The settings of the built-in alert `name` (one of alert_names), or null.
  const AlertRule* rule(std::string_view name) const;
  AlertRule* rule(std::string_view name) {
    return const_cast<AlertRule*>(static_cast<const AlertRules&>(*this).rule(name));
  }

  /// TargetDown for `target`: active while `state` is down. `reason` (may be empty) goes into
  /// the description only, never into labels.
  AlertCondition target_down_condition(std::string_view target, TargetState state,
                                       std::string_view reason = {}) const;
  /// TargetFlapping for `target`: active while `detector.flapping()`.
  AlertCondition target_flapping_condition(std::string_view target,
                                           const FlappingDetector& detector) const;
  /// CertExpiringSoon for `target`: active when `not_after` is known and is less than
  /// `cert_expiry_warning` after `now` (an already expired cert counts).
  AlertCondition cert_expiring_soon_condition(
      std::string_view target, std::optional<std::chrono::system_clock::time_point> not_after,
      std::chrono::system_clock::time_point now) const;
  /// MachineUnhealthy: active while `state` is unhealthy, or `unknown` with a `reason` (the
  /// machine's host is unreachable: MachineLifecycle::reason()). The reason goes into the
  /// description.
  AlertCondition machine_unhealthy_condition(std::string_view app, std::string_view machine,
                                             std::string_view region, MachineState state,
                                             std::string_view reason = {}) const;
  /// MachineStuck: active while `stuck` holds (see MachineAlertState). `state` is described,
  /// or `state_text` when not empty (Fly's `created`).
  AlertCondition machine_stuck_condition(std::string_view app, std::string_view machine,
                                         std::string_view region, bool stuck,
                                         MachineState state,
                                         std::string_view state_text = {}) const;
  /// MachineFailed: active while `failed` holds (see MachineAlertState).
  AlertCondition machine_failed_condition(std::string_view app, std::string_view machine,
                                          std::string_view region, bool failed,
                                          bool oom_killed) const;
  /// ColdStartSlow: active while `slow` holds (see MachineAlertState).
  AlertCondition cold_start_slow_condition(std::string_view app, std::string_view machine,
                                           std::string_view region, bool slow) const;
  /// JourneyFailing for `journey` (labelled with its `app` when it names one): active while
  /// `state` is down. The failed `step` and `reason` go into the description only.
  AlertCondition journey_failing_condition(std::string_view journey, std::string_view app,
                                           TargetState state, std::string_view step,
                                           std::string_view reason) const;
  /// ReleaseFailed for `app`: active while its latest release command's failure stands
  /// (ReleaseTracker::failure); the machine and exit code go into the description.
  AlertCondition release_failed_condition(std::string_view app, bool failed,
                                          std::string_view machine, int exit_code,
                                          bool oom_killed) const;
  /// AppNoHealthyMachines: active when the app is awake and none of its machines is healthy,
  /// or when the latest wake-up failed. An app that falls asleep (Fly's proxy stops its idle
  /// machines) while the alert is `firing` keeps it firing until a machine is healthy: sleep
  /// is no evidence of health, and resolving then would page the same outage again at the next
  /// wake-up. An app without machines has none to be unhealthy: it resolves.
  AlertCondition app_no_healthy_machines_condition(std::string_view app, AppPresence presence,
                                                   int healthy_machines, bool wake_failed,
                                                   bool firing) const;
};

/// The labels of a target-level alert: alertname, severity, target.
AlertLabels target_alert_labels(std::string_view alertname, Severity severity,
                                std::string_view target);
/// The labels of a machine-level alert: alertname, severity, app, machine, region (region
/// omitted when empty).
AlertLabels machine_alert_labels(std::string_view alertname, Severity severity,
                                 std::string_view app, std::string_view machine,
                                 std::string_view region);
/// The labels of a journey's alert: alertname, severity, journey, and app when not empty.
AlertLabels journey_alert_labels(std::string_view alertname, Severity severity,
                                 std::string_view journey, std::string_view app);
/// The labels of an app-level alert: alertname, severity, app.
AlertLabels app_alert_labels(std::string_view alertname, Severity severity, std::string_view app);

}  // namespace flywatch::core
