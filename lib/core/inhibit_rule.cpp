#include "core/inhibit_rule.hpp"

#include <algorithm>

namespace flywatch::core {

namespace {

std::string_view find(const AlertLabels& labels, std::string_view name) {
  auto it = labels.find(std::string(name));
  return it == labels.end() ? std::string_view() : std::string_view(it->second);
}

std::string_view find(const std::map<std::string, std::string, std::less<>>& map,
                      std::string_view key) {
  if (key.empty()) return {};
  auto it = map.find(key);
  return it == map.end() ? std::string_view() : std::string_view(it->second);
}

}  // namespace

std::vector<InhibitRule> default_inhibit_rules() {
  return {InhibitRule{
      {{"alertname", std::string(alert_app_no_healthy_machines)}},
      {std::string(alert_machine_unhealthy), std::string(alert_cold_start_slow),
       std::string(alert_target_down), std::string(alert_journey_failing)},
      {"app"},
      default_release_after}};
}

std::string_view inhibit_label_value(const AlertLabels& labels, std::string_view label,
                                     const InhibitAppMap& apps) {
  const std::string_view own = find(labels, label);
  if (!own.empty() || label != "app") return own;
  const std::string_view by_target = find(apps.target_app, find(labels, "target"));
  if (!by_target.empty()) return by_target;
  return find(apps.journey_app, find(labels, "journey"));
}

bool matches_source(const InhibitRule& rule, const AlertLabels& labels) {
  return std::ranges::all_of(rule.source, [&](const auto& kv) {
    auto it = labels.find(kv.first);
    return it != labels.end() && it->second == kv.second;
  });
}

bool alert_reports_past_event(std::string_view alertname) {
  return alertname == alert_cold_start_slow || alertname == alert_release_failed;
}

bool matches_target(const InhibitRule& rule, const AlertLabels& labels) {
  const std::string_view name = find(labels, "alertname");
  return std::ranges::find(rule.targets, name) != rule.targets.end();
}

}  // namespace flywatch::core
