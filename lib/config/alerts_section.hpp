#pragma once
/// Parsing of the `alerts:` section of a config file (DESIGN §4, §7): repeat interval, rules,
/// sinks, maintenance windows and inhibit rules. The structs it fills (AlertsConfig, SinkConfig) live in
/// config.hpp. Internal to lib/config.

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "config/config.hpp"
#include "core/alert_rules.hpp"
#include "core/inhibit_rule.hpp"

namespace flywatch::config::detail {

class Reader;
struct Pos;
struct Field;

/// Parses the `alerts:` field of a config file. Maintenance windows may only name `targets`
/// (the already parsed targets) and the apps of `fly` (nullopt: no `fly:` section, so no app
/// may be named). Throws ConfigError through `reader`; no message contains a secret or the URL
/// of a sink.
AlertsConfig parse_alerts_section(const Reader& reader, const Field& field,
                                  const std::vector<Target>& targets,
                                  const std::optional<FlyConfig>& fly);

/// Parses `alerts.rules`: a mapping from built-in alert names (core::alert_target_down, …) to
/// their settings (`enabled`, `severity`, `for`, and `high_threshold`/`low_threshold` for
/// TargetFlapping, `within` for CertExpiringSoon). Whatever is not written keeps
/// core::AlertRules' default. repeat_interval is left as it is.
core::AlertRules parse_alert_rules(const Reader& reader, const Field& field);

/// Parses `alerts.inhibit`: a list of {source: {alertname: X, label: value…}, targets: [names],
/// equal: [labels]} (see core::InhibitRule); alert names must be built-in ones, targets not
/// empty. `[]` (or nothing) gives no rules.
std::vector<core::InhibitRule> parse_inhibit_rules(const Reader& reader, const Field& field);

/// A list of strings, or one string standing for a list of one, each with where it is written.
std::vector<std::pair<std::string, Pos>> located_list(const Reader& reader, const Field& field,
                                                      std::string_view name);
/// A located_list() of built-in alert names (core::alert_names), checked one by one.
std::vector<std::string> alert_name_list(const Reader& reader, const Field& field,
                                         std::string_view name);
/// Fails at `at` unless `s` is a built-in alert name; the message lists them. `name` is the
/// key path.
void require_alert_name(const Reader& reader, const std::string& s, Pos at,
                        std::string_view name);

}  // namespace flywatch::config::detail
