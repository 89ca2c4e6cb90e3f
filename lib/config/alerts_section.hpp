#pragma once
/// The `alerts:` section of a config file (DESIGN §4, §7): repeat interval, sinks and maintenance
/// windows. Parsed and validated here; load_config does not accept `alerts:` until alert delivery
/// is wired into the daemon, so a config relying on it is never half-applied.

#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "config/config.hpp"
#include "core/maintenance.hpp"

namespace flywatch::config {

enum class SinkType { webhook, alertmanager, pagerduty, slack };

/// One `alerts.sinks[]` entry.
struct SinkConfig {
  std::string name;  ///< unique; a metric label value (letters, digits, '_', '.', '-')
  SinkType type = SinkType::webhook;
  std::string url;   ///< as written; for alertmanager the base URL (…/api/v2/alerts is appended)
  std::string scheme, host, target;
  std::uint16_t port = 0;
  /// Standard Webhooks secret (`whsec_…`), from `secret` or `secret_file`; empty: unsigned.
  /// A secret: never in a message.
  std::string secret;
  std::string routing_key;  ///< pagerduty: `routing_key` / `routing_key_file` (required there)
  std::vector<std::pair<std::string, std::string>> headers;
  std::set<std::string> severities;  ///< filter.severity; empty: all
  std::set<std::string> alertnames;  ///< filter.alertname; empty: all
  TlsConfig tls;
  int line = 0;
};

struct AlertsConfig {
  Millis repeat_interval{4 * 3'600'000};
  std::vector<SinkConfig> sinks;
  std::vector<core::MaintenanceWindow> maintenance;
};

/// Parses a YAML document holding an optional `targets:` and a required `alerts:` and returns the
/// validated section (the entry point for tests until load_config accepts `alerts:`). `path`
/// labels messages and anchors relative `*_file` paths. Throws ConfigError; no message contains
/// a secret.
AlertsConfig parse_alerts_config(const std::string& text, const std::string& path,
                                 EnvLookup getenv);

}  // namespace flywatch::config
