#pragma once
/// Alertmanager-style inhibit rules (DESIGN §7 `alerts.inhibit`) as plain values: which firing
/// alert (a source) holds back which others (its targets) and which label values the two must
/// share. Alertmanager's comparison is kept: a label absent on one side equals an empty value
/// on the other. TargetDown carries `target` and JourneyFailing `journey` (labels are a
/// contract), so the `app` compared for them may come from an InhibitAppMap: for comparison
/// only, never added to an alert. What the rules decide over time is InhibitionBook's
/// (inhibition_book.hpp). Pure: no I/O.

#include <chrono>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/alert.hpp"

namespace flywatch::core {

/// What `release_after` is when a rule does not say.
inline constexpr std::chrono::milliseconds default_release_after = std::chrono::minutes(2);

/// One inhibit rule.
struct InhibitRule {
  AlertLabels source;                ///< labels a source must carry, with these values (alertname at least)
  std::vector<std::string> targets;  ///< alertnames the rule inhibits
  std::vector<std::string> equal;    ///< labels whose values source and target must share
  /// How long a source still inhibits after it resolves: the symptoms of an outage (a target
  /// probed every interval, a journey run every few tens of seconds) clear after their cause,
  /// and paging them in between would be a second page for one outage.
  std::chrono::milliseconds release_after = default_release_after;
  bool operator==(const InhibitRule&) const = default;
};

/// The rules in force when `alerts.inhibit` is not written: AppNoHealthyMachines inhibits
/// MachineUnhealthy, ColdStartSlow, TargetDown and JourneyFailing with `equal: [app]`.
std::vector<InhibitRule> default_inhibit_rules();

/// The app each target and journey belongs to (a target named by `fly.apps[].target`, a
/// journey with `app:`), for comparing `app` on alerts that do not carry it.
struct InhibitAppMap {
  std::map<std::string, std::string, std::less<>> target_app;   ///< target → app
  std::map<std::string, std::string, std::less<>> journey_app;  ///< journey → app
  bool operator==(const InhibitAppMap&) const = default;
};

/// The value of `label` of an alert with `labels`, as an `equal` comparison sees it: its own;
/// for a missing `app`, the app of its `target` or else of its `journey` in `apps`; else empty.
std::string_view inhibit_label_value(const AlertLabels& labels, std::string_view label,
                                     const InhibitAppMap& apps);

/// True when `labels` carry every label of `rule.source` with its value.
bool matches_source(const InhibitRule& rule, const AlertLabels& labels);
/// True when the alertname of `labels` is one of `rule.targets`.
bool matches_target(const InhibitRule& rule, const AlertLabels& labels);

/// True for the alerts that report something that happened rather than a state that holds:
/// ColdStartSlow (a cold start that was slow; it stays firing until the machine's next cold
/// start) and ReleaseFailed (until the next release). Inhibited once, such an alert is
/// explained by its source for good: the slow cold start happened during the outage, and
/// paging it after the outage ended would page the outage twice.
bool alert_reports_past_event(std::string_view alertname);

}  // namespace flywatch::core
