// `alerts.rules` → core::AlertRules: per built-in alert `enabled`, `severity` and `for`, plus
// the thresholds of TargetFlapping and CertExpiringSoon.
#include <charconv>
#include <chrono>
#include <string>
#include <string_view>

#include "config/alerts_section.hpp"
#include "config/yaml_reader.hpp"
#include "core/alert.hpp"

namespace flywatch::config::detail {

namespace {

constexpr Millis kMaxFor = std::chrono::hours(24);
constexpr Millis kMinWithin = std::chrono::hours(1);
constexpr Millis kMaxWithin = std::chrono::hours(24 * 365);

std::string format_percent(double v) {
  char buf[32];
  const auto result = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, result.ptr);
}

void parse_common(const Reader& r, const Fields& fields, const std::string& prefix,
                  core::AlertRule& rule) {
  if (const Field* f = fields.get("enabled")) rule.enabled = r.boolean(*f, prefix + ".enabled");
  if (const Field* f = fields.get("severity")) {
    const std::string v = r.string(*f, prefix + ".severity");
    const auto severity = core::parse_severity(v);
    if (!severity) {
      r.fail(f->value_pos(),
             prefix + ".severity: \"" + v + "\" is not one of info, warning, critical");
    }
    rule.severity = *severity;
  }
  if (const Field* f = fields.get("for")) {
    rule.for_duration = r.duration(*f, prefix + ".for", Millis{0}, kMaxFor);
  }
}

double parse_percent(const Reader& r, const Field& f, const std::string& name) {
  const double v = r.number(f, name);
  if (!(v > 0 && v <= 100)) {
    r.fail(f.value_pos(),
           name + ": " + format_percent(v) + " is out of range (above 0, at most 100)");
  }
  return v;
}

void parse_flapping(const Reader& r, const Fields& fields, const std::string& prefix,
                    core::FlappingThresholds& out) {
  const Field* high = fields.get("high_threshold");
  const Field* low = fields.get("low_threshold");
  if (high) out.high_percent = parse_percent(r, *high, prefix + ".high_threshold");
  if (low) out.low_percent = parse_percent(r, *low, prefix + ".low_threshold");
  // The defaults are ordered, so a violation involves at least one written value.
  if (out.low_percent >= out.high_percent) {
    const Field* at = low ? low : high;
    r.fail(at->value_pos(), prefix + ".low_threshold (" + format_percent(out.low_percent) +
                                ") must be lower than high_threshold (" +
                                format_percent(out.high_percent) + ")");
  }
}

}  // namespace

core::AlertRules parse_alert_rules(const Reader& r, const Field& field) {
  core::AlertRules out;
  const Fields rules(r, field.value, field.value_pos(), "alerts.rules", "in alerts.rules",
                     {core::alert_target_down, core::alert_target_flapping,
                      core::alert_cert_expiring_soon, core::alert_machine_unhealthy,
                      core::alert_machine_stuck, core::alert_machine_failed,
                      core::alert_cold_start_slow, core::alert_app_no_healthy_machines,
                      core::alert_journey_failing, core::alert_release_failed});
  for (const Field& f : rules.all()) {
    const std::string prefix = "alerts.rules." + f.key;
    const std::string context = "in " + prefix;
    core::AlertRule* rule = out.rule(f.key);
    if (rule == nullptr) continue;  // not reached: Fields refused unknown names
    if (f.key == core::alert_target_flapping) {
      const Fields fields(r, f.value, f.value_pos(), prefix, context,
                          {"enabled", "severity", "for", "high_threshold", "low_threshold"});
      parse_common(r, fields, prefix, *rule);
      parse_flapping(r, fields, prefix, out.flapping);
    } else if (f.key == core::alert_cert_expiring_soon) {
      const Fields fields(r, f.value, f.value_pos(), prefix, context,
                          {"enabled", "severity", "for", "within"});
      parse_common(r, fields, prefix, *rule);
      if (const Field* within = fields.get("within")) {
        out.cert_expiry_warning = r.duration(*within, prefix + ".within", kMinWithin, kMaxWithin);
      }
    } else {
      const Fields fields(r, f.value, f.value_pos(), prefix, context, {"enabled", "severity", "for"});
      parse_common(r, fields, prefix, *rule);
    }
  }
  return out;
}

}  // namespace flywatch::config::detail
