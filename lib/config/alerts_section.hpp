#pragma once
/// Parsing of the `alerts:` section of a config file (DESIGN §4, §7): repeat interval, rules,
/// sinks and maintenance windows. The structs it fills (AlertsConfig, SinkConfig) live in
/// config.hpp. Internal to lib/config.

#include <optional>
#include <vector>

#include "config/config.hpp"
#include "core/alert_rules.hpp"

namespace flywatch::config::detail {

class Reader;
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

}  // namespace flywatch::config::detail
