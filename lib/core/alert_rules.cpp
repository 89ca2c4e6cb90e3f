#include "core/alert_rules.hpp"

#include <string>
#include <utility>

namespace flywatch::core {

namespace {

using time_point = std::chrono::system_clock::time_point;

std::string str(std::string_view s) { return std::string(s); }

AlertCondition make(const AlertRule& rule, AlertLabels labels, bool active, std::string summary,
                    std::string description) {
  AlertCondition c;
  c.labels = std::move(labels);
  // A disabled rule reports its condition as inactive, so what it fired before resolves.
  c.active = rule.enabled && active;
  c.annotations = {{"summary", std::move(summary)}, {"description", std::move(description)}};
  c.for_duration = rule.for_duration;
  return c;
}

std::string machine_name(std::string_view app, std::string_view machine) {
  return "machine " + str(machine) + " of app " + str(app);
}

}  // namespace

AlertLabels target_alert_labels(std::string_view alertname, Severity severity,
                                std::string_view target) {
  return {{"alertname", str(alertname)},
          {"severity", str(to_string(severity))},
          {"target", str(target)}};
}

AlertLabels machine_alert_labels(std::string_view alertname, Severity severity,
                                 std::string_view app, std::string_view machine,
                                 std::string_view region) {
  AlertLabels l{{"alertname", str(alertname)},
                {"severity", str(to_string(severity))},
                {"app", str(app)},
                {"machine", str(machine)}};
  if (!region.empty()) l["region"] = str(region);
  return l;
}

AlertLabels journey_alert_labels(std::string_view alertname, Severity severity,
                                 std::string_view journey, std::string_view app) {
  AlertLabels l{{"alertname", str(alertname)},
                {"severity", str(to_string(severity))},
                {"journey", str(journey)}};
  if (!app.empty()) l["app"] = str(app);
  return l;
}

AlertLabels app_alert_labels(std::string_view alertname, Severity severity, std::string_view app) {
  return {{"alertname", str(alertname)},
          {"severity", str(to_string(severity))},
          {"app", str(app)}};
}

const AlertRule* AlertRules::rule(std::string_view name) const {
  if (name == alert_target_down) return &target_down;
  if (name == alert_target_flapping) return &target_flapping;
  if (name == alert_cert_expiring_soon) return &cert_expiring_soon;
  if (name == alert_machine_unhealthy) return &machine_unhealthy;
  if (name == alert_machine_stuck) return &machine_stuck;
  if (name == alert_machine_failed) return &machine_failed;
  if (name == alert_cold_start_slow) return &cold_start_slow;
  if (name == alert_app_no_healthy_machines) return &app_no_healthy_machines;
  if (name == alert_journey_failing) return &journey_failing;
  if (name == alert_release_failed) return &release_failed;
  return nullptr;
}

AlertCondition AlertRules::target_down_condition(std::string_view target, TargetState state,
                                                 std::string_view reason) const {
  std::string description = "Target " + str(target) + " failed its probes past the failure threshold";
  if (!reason.empty()) description += ": " + str(reason);
  return make(target_down, target_alert_labels(alert_target_down, target_down.severity, target),
              state == TargetState::down, "Target " + str(target) + " is down", description);
}

AlertCondition AlertRules::journey_failing_condition(std::string_view journey,
                                                     std::string_view app, TargetState state,
                                                     std::string_view step,
                                                     std::string_view reason) const {
  std::string description =
      "Journey " + str(journey) + " failed its runs past the failure threshold";
  if (!step.empty()) description += ": step " + str(step);
  if (!reason.empty()) description += " (" + str(reason) + ")";
  return make(journey_failing,
              journey_alert_labels(alert_journey_failing, journey_failing.severity, journey, app),
              state == TargetState::down, "Journey " + str(journey) + " is failing", description);
}

AlertCondition AlertRules::release_failed_condition(std::string_view app, bool failed,
                                                    std::string_view machine, int exit_code,
                                                    bool oom_killed) const {
  std::string description = "The release command of app " + str(app);
  if (failed) {
    description += " (machine " + str(machine) + ") " +
                   (oom_killed ? std::string("was OOM-killed")
                               : "exited with code " + std::to_string(exit_code)) +
                   ": its migrations did not complete and the release did not go out";
  } else {
    description += " succeeded";
  }
  return make(release_failed, app_alert_labels(alert_release_failed, release_failed.severity, app),
              failed, "Release of " + str(app) + " failed", description);
}

AlertCondition AlertRules::target_flapping_condition(std::string_view target,
                                                     const FlappingDetector& detector) const {
  const auto pct = static_cast<int>(detector.percent() + 0.5);
  return make(target_flapping,
              target_alert_labels(alert_target_flapping, target_flapping.severity, target),
              detector.flapping(), "Target " + str(target) + " is flapping",
              "Target " + str(target) + " changed between up and down in " + std::to_string(pct) +
                  "% (weighted) of its last " + std::to_string(FlappingDetector::window) +
                  " results; TargetDown notifications are held until it settles");
}

AlertCondition AlertRules::cert_expiring_soon_condition(std::string_view target,
                                                        std::optional<time_point> not_after,
                                                        time_point now) const {
  const bool soon = not_after.has_value() && *not_after - now < cert_expiry_warning;
  std::string description = "The certificate of target " + str(target);
  if (not_after) {
    const auto days = std::chrono::duration_cast<std::chrono::hours>(*not_after - now).count() / 24;
    description += days < 0 ? " has expired" : " expires in " + std::to_string(days) + " days";
  }
  return make(cert_expiring_soon,
              target_alert_labels(alert_cert_expiring_soon, cert_expiring_soon.severity, target),
              soon, "Certificate of " + str(target) + " expires soon", description);
}

AlertCondition AlertRules::machine_unhealthy_condition(std::string_view app,
                                                       std::string_view machine,
                                                       std::string_view region,
                                                       MachineState state,
                                                       std::string_view reason) const {
  // A machine whose host is unreachable may be down for all anyone knows, and Fly will not
  // say: that is as bad as unhealthy.
  const bool host_down = host_lost(state, reason);
  return make(machine_unhealthy,
              machine_alert_labels(alert_machine_unhealthy, machine_unhealthy.severity, app,
                                   machine, region),
              state == MachineState::unhealthy || host_down,
              "Machine " + str(machine) + " of " + str(app) + " is unhealthy",
              host_down ? "The " + machine_name(app, machine) + " is in state unknown: " + str(reason)
                        : "A Fly check is critical or flywatch's own probe fails on " +
                              machine_name(app, machine));
}

AlertCondition AlertRules::machine_stuck_condition(std::string_view app, std::string_view machine,
                                                   std::string_view region, bool stuck,
                                                   MachineState state,
                                                   std::string_view state_text) const {
  return make(machine_stuck,
              machine_alert_labels(alert_machine_stuck, machine_stuck.severity, app, machine,
                                   region),
              stuck, "Machine " + str(machine) + " of " + str(app) + " is stuck",
              "The " + machine_name(app, machine) + " has been " +
                  (state_text.empty() ? str(to_string(state)) : str(state_text)) +
                  " longer than the stuck limit");
}

AlertCondition AlertRules::machine_failed_condition(std::string_view app, std::string_view machine,
                                                    std::string_view region, bool failed,
                                                    bool oom_killed) const {
  return make(machine_failed,
              machine_alert_labels(alert_machine_failed, machine_failed.severity, app, machine,
                                   region),
              failed, "Machine " + str(machine) + " of " + str(app) + " failed",
              "The " + machine_name(app, machine) +
                  (oom_killed ? " was killed out of memory" : " is in state failed"));
}

AlertCondition AlertRules::cold_start_slow_condition(std::string_view app,
                                                     std::string_view machine,
                                                     std::string_view region, bool slow) const {
  return make(cold_start_slow,
              machine_alert_labels(alert_cold_start_slow, cold_start_slow.severity, app, machine,
                                   region),
              slow, "Slow cold start of machine " + str(machine) + " of " + str(app),
              "The last cold start of the " + machine_name(app, machine) +
                  " took longer than the cold-start SLO");
}

AlertCondition AlertRules::app_no_healthy_machines_condition(std::string_view app,
                                                             AppPresence presence,
                                                             int healthy_machines,
                                                             bool wake_failed, bool firing) const {
  const bool awake = presence == AppPresence::awake;
  const bool none = healthy_machines == 0 &&
                    (awake || (firing && presence == AppPresence::asleep));
  return make(app_no_healthy_machines,
              app_alert_labels(alert_app_no_healthy_machines, app_no_healthy_machines.severity,
                               app),
              none || wake_failed, "App " + str(app) + " has no healthy machine",
              wake_failed ? "Waking app " + str(app) + " failed"
              : awake     ? "App " + str(app) + " is awake but none of its machines is healthy"
                          : "App " + str(app) + " went to sleep with none of its machines healthy");
}

}  // namespace flywatch::core
