#pragma once
/// The whole flywatch configuration as plain structs (DESIGN §4). Produced by load_config();
/// nothing here touches YAML.

#include <chrono>
#include <functional>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "core/connection_reuse.hpp"
#include "core/alert_rules.hpp"
#include "core/endpoint.hpp"
#include "core/expectation.hpp"
#include "core/journey.hpp"
#include "core/inhibit_rule.hpp"
#include "core/log_line.hpp"
#include "core/maintenance.hpp"
#include "core/shard.hpp"
#include "core/sink_kind.hpp"
#include "core/web_config.hpp"

namespace flywatch::config {

using Millis = std::chrono::milliseconds;

struct ServerConfig {
  std::string listen_host = "127.0.0.1";  ///< IPv4/IPv6 literal or "localhost"; IPv6 without brackets
  std::uint16_t listen_port = 9464;
  /// `server.web_config_file`, resolved against the config file's directory; empty when not
  /// set. Read again at every load and reload; what it says takes effect at restart.
  std::string web_config_file;
  /// What web_config_file says (config/web_config.hpp); empty without one: plain HTTP, no auth.
  core::WebConfig web;
};

struct LogConfig {
  core::LogFormat format = core::LogFormat::logfmt;
  core::LogLevel level = core::LogLevel::info;
};

struct Defaults {
  Millis interval{15'000};
  Millis timeout{5'000};
  int failure_threshold = 3;
  int success_threshold = 2;
  std::size_t max_body_bytes = 1 << 20;  ///< `defaults.max_body`, inherited by every target
};

/// `tls:` of a target or sink. A relative ca_file is resolved against the config file's
/// directory; the file must be readable when the config is loaded.
using TlsConfig = core::TlsOptions;

/// One probed endpoint, with defaults already applied.
struct Target {
  std::string name;
  std::string url;        ///< as written (after ${VAR} expansion)
  /// The parsed URL (its scheme is the probe kind: http, https, tcp or tls; tcp and tls have
  /// an explicit port and target ""), `tls:` (https and tls only) and `headers:` as written,
  /// in order, with bearer_token's Authorization last (http(s) only).
  core::Endpoint endpoint;
  // http(s) only
  std::string method = "GET";
  std::string body;       ///< request body (`body:` or `body_file:`), usually empty
  // tcp only
  std::string send;       ///< `send:`, written once connected; usually empty
  Millis interval{15'000};
  Millis timeout{5'000};
  int failure_threshold = 3;
  int success_threshold = 2;
  std::size_t max_body_bytes = 1 << 20;  ///< response body (tcp: banner) cap (`max_body: 1MiB`)
  /// http(s) only: `connection: fresh | reuse` and, with reuse, `max_connection_age` (1s..24h).
  core::ConnectionMode connection = core::ConnectionMode::fresh;
  Millis max_connection_age = core::default_max_connection_age;
  core::Expectation expect;
  /// Config line of the target's entry, for messages.
  int line = 0;
};

/// One `journeys[]` entry (DESIGN §12), with defaults applied.
struct Journey {
  /// What a run does: name, base (the parsed base_url with `tls:` and `headers:`), variables,
  /// steps, the run's deadline (`timeout`, default 30s) and body cap.
  core::JourneySpec spec;
  std::string base_url;  ///< as written (after ${VAR} expansion)
  Millis interval{300'000};  ///< default 5m: every run registers a user
  int failure_threshold = 3;
  int success_threshold = 2;
  /// A `fly.apps[]` name: the journey runs through one started machine of that app
  /// (`fly-force-instance-id` on every step) and follows its sleep policy. Empty: none.
  std::string app;
  int line = 0;  ///< config line of the entry, for messages
  const std::string& name() const { return spec.name; }
};

/// One `gate.phases[]` entry: what `flywatch gate` runs in that phase.
struct GatePhase {
  std::string name;
  std::vector<std::string> apps;      ///< `fly.apps[]` names (for wake and wait_healthy)
  bool wake = false;                  ///< start the apps' stopped machines first
  std::optional<Millis> wait_healthy; ///< wait at most this long for every machine to be healthy
  std::vector<std::string> targets;   ///< Config::targets names, probed once
  std::vector<std::string> journeys;  ///< Config::journeys names, run once
  int line = 0;
};

/// The `gate:` section: phases in order, each run only when the one before it passed.
struct GateConfig {
  std::vector<GatePhase> phases;  ///< at least one, names unique
};

/// Limits on the probe engine.
struct EngineConfig {
  int max_in_flight = 1024;  ///< `probes.max_in_flight`: global limit on concurrent probes
};

/// What to do when every machine of an app is stopped or suspended (DESIGN §5).
enum class WhenAsleep {
  skip,        ///< send no probe; the app is reported `asleep`, not down (the default)
  probe,       ///< probe regardless (wakes the app)
  wake_every,  ///< wake the app on purpose every `wake_every` and time the wake-up
};

/// One `fly.apps[]` entry, with defaults applied.
struct FlyApp {
  std::string name;    ///< Fly app name: 1-63 characters of [a-z0-9-]
  /// The config target probed through this app's machines; empty when none. When set it
  /// names an entry of Config::targets.
  std::string target;
  WhenAsleep when_asleep = WhenAsleep::skip;
  /// Set exactly when when_asleep is wake_every; then at least FlyConfig::poll_interval.
  std::optional<Millis> wake_every;
  Millis cold_start_slo{10'000};
  /// A machine in starting/stopping/suspending/updating longer than this is stuck (DESIGN §7).
  Millis stuck_after{300'000};
  int line = 0;  ///< config line of the entry, for messages
};

/// The whole `fly:` section.
struct FlyConfig {
  std::string api_url = "https://api.machines.dev";  ///< as written (after ${VAR} expansion)
  /// The parsed api_url (http or https, no query). Its target is the URL's path without its
  /// trailing '/': "" for `https://api.machines.dev/`, so request paths are
  /// api.target + "/v1/apps/...". No TLS options, no headers.
  core::Endpoint api{"https", "api.machines.dev", 443, "", {}, {}};
  /// The API token (`token:` or the content of `token_file:`). A secret: never in a message.
  std::string token;
  Millis poll_interval{5'000};
  std::vector<FlyApp> apps;  ///< at least one, names unique
};

/// A sink's `type`: the one enum of sink kinds, shared with lib/alert's sink registry.
using SinkType = core::SinkKind;

/// One `alerts.sinks[]` entry without its source position: what a sink is. Two entries that
/// compare equal deliver alike (a reload that only moves a sink in the file keeps it running).
struct SinkSpec {
  std::string name;  ///< unique; a metric label value (letters, digits, '_', '.', '-')
  SinkType type = SinkType::webhook;
  /// As written; for alertmanager the base URL (…/api/v2/alerts is appended). For pagerduty and
  /// slack the URL is a credential: never in a message.
  std::string url;
  /// The parsed url (http or https), `tls:` and `headers:` as written.
  core::Endpoint endpoint;
  /// Standard Webhooks secret (`whsec_…`), from `secret` or `secret_file`; empty: unsigned.
  /// A secret: never in a message.
  std::string secret;
  std::string routing_key;  ///< pagerduty: `routing_key` / `routing_key_file` (required there)
  std::set<std::string> severities;  ///< filter.severity; empty: all
  std::set<std::string> alertnames;  ///< filter.alertname; empty: all
  Millis timeout{10'000};          ///< `timeout:` per delivery attempt; > 0, at most 5m
  /// `retry: {initial, max}`: exponential backoff base and cap; initial > 0, initial <= max <= 1h.
  Millis retry_initial{1'000};
  Millis retry_max{300'000};
  /// alertmanager only (`resend_interval:`, 1s..1h): how often a firing alert is re-sent, so
  /// Alertmanager does not resolve it on its own.
  Millis resend_interval{60'000};
  bool operator==(const SinkSpec&) const = default;
};

/// One `alerts.sinks[]` entry: the sink and where it is written. Its `==` is SinkSpec's, so
/// it ignores `line`.
struct SinkConfig : SinkSpec {
  int line = 0;  ///< config line of the entry, for messages
};

/// The `alerts:` section (DESIGN §7), with defaults when the file has none.
struct AlertsConfig {
  /// How often a firing alert is sent again; 1s..7d. Always equal to rules.repeat_interval.
  Millis repeat_interval = core::AlertRules{}.repeat_interval;
  /// `alerts.rules`: the built-in rules, core::AlertRules' defaults for what is not written.
  core::AlertRules rules;
  /// May be empty: alerts are then only logged and counted in metrics.
  std::vector<SinkConfig> sinks;
  /// Their `targets` name entries of Config::targets, their `apps` entries of Config::fly->apps.
  std::vector<core::MaintenanceWindow> maintenance;
  /// `alerts.inhibit`: core::default_inhibit_rules() unless written; empty turns inhibition off.
  std::vector<core::InhibitRule> inhibit = core::default_inhibit_rules();
};

struct Config {
  std::string source_path;  ///< the file this came from
  ServerConfig server;
  LogConfig log;
  /// A relative path is resolved against the config file's directory.
  std::string state_dir = "/var/lib/flywatch";
  Defaults defaults;
  EngineConfig engine;
  std::vector<Target> targets;
  /// The `fly:` section, when present. Its apps' `target`s name entries of `targets`.
  std::optional<FlyConfig> fly;
  /// `journeys:`, names unique.
  std::vector<Journey> journeys;
  /// The `gate:` section, when present; it names apps, targets and journeys of this file.
  std::optional<GateConfig> gate;
  /// The `alerts:` section; defaults (no sinks, default rules) when the file has none.
  AlertsConfig alerts;
  /// `shard: {index, count}`: the part of the file this instance watches (0 of 1, everything,
  /// when absent). load_config keeps the whole file; config::select_shard (shard_view.hpp)
  /// takes the shard's part.
  core::Shard shard;
};

/// A configuration error with its position, rendered as `file:line:column: message`
/// (1-based), or as `file: message` when it has no position (line 0, e.g. an unreadable file).
/// Messages never contain the value of a secret or of an expanded environment variable
/// used in a header, body or URL.
class ConfigError : public std::runtime_error {
 public:
  ConfigError(std::string file, int line, int column, std::string message);
  const std::string& file() const { return file_; }
  int line() const { return line_; }
  int column() const { return column_; }
  const std::string& message() const { return message_; }

 private:
  std::string file_;
  int line_;
  int column_;
  std::string message_;
};

/// Reads `path`, expands `${VAR}` / `${VAR:-default}` from `env` (a lookup that returns nullopt
/// for unset variables; the real environment in production), reads `*_file` secrets, applies
/// defaults and validates everything. Throws ConfigError on the first problem found; the
/// position points at the offending key or value (1-based line and column).
/// Expansion applies to every scalar value (not to keys); `$$` is a literal `$`, and a `$` not
/// followed by `{` or `$` is kept as is. `${VAR:-default}` uses the default when VAR is unset
/// or empty. An unreadable file throws ConfigError(path, 0, 0, "cannot read: <strerror>").
Config load_config(const std::string& path);

/// Same as load_config, from text already in memory; `path` is used for messages and to resolve
/// relative `*_file` paths. `getenv` is the environment lookup.
using EnvLookup = std::function<std::optional<std::string>(const std::string&)>;
Config parse_config(const std::string& text, const std::string& path, EnvLookup getenv);

}  // namespace flywatch::config
