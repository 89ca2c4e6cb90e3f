// `alerts.inhibit` → core::InhibitRule list (DESIGN §7): Alertmanager-style inhibit rules.
#include <chrono>
#include <string>
#include <vector>

#include "config/alerts_section.hpp"
#include "config/syntax.hpp"
#include "config/yaml_reader.hpp"

namespace flywatch::config::detail {

namespace {

using Millis = std::chrono::milliseconds;
// Longer would hold back a page that a new, separate problem deserves.
constexpr Millis kMaxReleaseAfter = std::chrono::hours(1);

core::InhibitRule parse_rule(const Reader& r, const YAML::Node& node, Pos where) {
  const Fields fields(r, node, where, "alerts.inhibit entry", "in alerts.inhibit entry",
                      {"source", "targets", "equal", "release_after"});
  const Field* source = fields.get("source");
  if (!source) r.fail(where, "alerts.inhibit entry is missing required key \"source\"");
  const Field* targets = fields.get("targets");
  if (!targets) r.fail(where, "alerts.inhibit entry is missing required key \"targets\"");
  core::InhibitRule rule;
  // Labels are free-form (an alert's labels are), but alertname names a built-in alert: a
  // misspelt one would silently inhibit nothing.
  const Fields labels(r, source->value, source->value_pos(), "alerts.inhibit.source",
                      "in alerts.inhibit.source");
  for (const Field& l : labels.all()) {
    const std::string key = "alerts.inhibit.source." + l.key;
    rule.source[l.key] = r.string(l, key);
    if (l.key == "alertname") require_alert_name(r, rule.source[l.key], l.value_pos(), key);
  }
  if (!rule.source.contains("alertname")) {
    r.fail(source->value_pos(), "alerts.inhibit.source needs an alertname");
  }
  rule.targets = alert_name_list(r, *targets, "alerts.inhibit.targets");
  if (rule.targets.empty()) r.fail(targets->value_pos(), "alerts.inhibit.targets is empty");
  if (const Field* equal = fields.get("equal")) {
    for (auto& [label, at] : located_list(r, *equal, "alerts.inhibit.equal")) {
      if (label.empty()) r.fail(at, "alerts.inhibit.equal: a label name is empty");
      rule.equal.push_back(std::move(label));
    }
  }
  if (const Field* f = fields.get("release_after")) {
    rule.release_after = r.duration(*f, "alerts.inhibit.release_after", Millis(0), kMaxReleaseAfter);
  }
  return rule;
}

}  // namespace

std::vector<core::InhibitRule> parse_inhibit_rules(const Reader& r, const Field& field) {
  std::vector<core::InhibitRule> out;
  // `inhibit:` with nothing after it, like `inhibit: []`, turns inhibition off.
  if (field.value.IsNull()) return out;
  r.require_sequence(field.value, field.value_pos(), "alerts.inhibit");
  for (const YAML::Node& node : field.value) {
    const Pos where = pos_of(node, field.value);
    if (!node.IsMap()) r.fail(where, "alerts.inhibit: each entry must be a mapping");
    out.push_back(parse_rule(r, node, where));
  }
  return out;
}

}  // namespace flywatch::config::detail
