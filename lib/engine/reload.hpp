#pragma once
/// Config reloads of `flywatch run` (SIGHUP, POST /-/reload): a new config is read and checked
/// whole, and only then swapped in, sinks first.

#include <optional>
#include <string>

#include "config/config.hpp"
#include "config/shard_view.hpp"
#include "engine/alert_dispatcher.hpp"
#include "engine/engine.hpp"
#include "log/logger.hpp"
#include "metrics/metrics.hpp"

namespace flywatch::engine {

/// What a reload changes besides the config itself.
struct ReloadParts {
  Engine& engine;
  AlertDispatcher& dispatcher;
  metrics::Metrics& metrics;
  log::Logger& log;
  /// Set by the command line (--log-format, --log-level): then the config's is not applied.
  bool keep_log_format = false;
  bool keep_log_level = false;
};

/// Records a config that was loaded in full: config_last_reload_successful 1, and the success
/// timestamp now.
void record_config_loaded(metrics::Metrics& metrics);

/// Records the shard a loaded config was cut to: sets flywatch_shard_info and, when the config
/// is one of several shards or `changed` (a reload onto another shard), logs "shard selected"
/// with `shard` (I/N) and the targets, journeys and apps it keeps and the whole file holds.
void record_shard(const config::ShardSummary& summary, bool changed, metrics::Metrics& metrics,
                  log::Logger& log);

/// The config file at `path` loaded whole (config::load_config, which throws ConfigError) and
/// cut to its `shard:` (config::select_shard): what `flywatch run` and `flywatch check` watch.
config::ShardView load_shard(const std::string& path);

/// Loads the config file at `path` (load_shard). When it is valid: warns about restart-only settings it
/// changes (core::restart_only_warnings), applies its alert sinks (so that resolutions of alerts
/// it retires go to the sinks it keeps), then its targets and apps, then its log format and
/// level (unless kept), replaces `running`, records it (record_config_loaded, record_shard) and
/// logs "config reloaded" with `trigger` and the targets kept; returns nullopt. Otherwise changes nothing but
/// config_last_reload_successful (0), logs "config reload failed" and returns the error.
std::optional<std::string> reload_config(const std::string& path, const char* trigger,
                                         config::Config& running, const ReloadParts& parts);

}  // namespace flywatch::engine
