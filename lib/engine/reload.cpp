#include "engine/reload.hpp"

#include <chrono>
#include <exception>

#include "core/daemon_policy.hpp"

namespace flywatch::engine {

namespace {

core::RestartOnlySettings restart_only(const config::Config& cfg) {
  return {cfg.server.listen_host, cfg.server.listen_port, cfg.state_dir,
          cfg.server.web_config_file, cfg.server.web};
}

}  // namespace

void record_config_loaded(metrics::Metrics& metrics) {
  metrics.config_last_reload_successful().Set(1);
  metrics.config_last_reload_success_timestamp().Set(
      core::to_seconds(std::chrono::system_clock::now().time_since_epoch()));
}

void record_shard(const config::ShardSummary& summary, bool changed, metrics::Metrics& metrics,
                  log::Logger& log) {
  metrics.set_shard(summary.shard);
  if (summary.shard.count <= 1 && !changed) return;
  log.info("shard selected", {{"shard", core::to_string(summary.shard)},
                              {"targets", std::to_string(summary.kept.targets)},
                              {"targets_total", std::to_string(summary.total.targets)},
                              {"journeys", std::to_string(summary.kept.journeys)},
                              {"journeys_total", std::to_string(summary.total.journeys)},
                              {"apps", std::to_string(summary.kept.apps)},
                              {"apps_total", std::to_string(summary.total.apps)}});
}

config::ShardView load_shard(const std::string& path) {
  return config::select_shard(config::load_config(path));
}

std::optional<std::string> reload_config(const std::string& path, const char* trigger,
                                         config::Config& running, const ReloadParts& parts) {
  try {
    // Parse and validate the whole file, then cut it to its shard; only then swap it in.
    config::ShardView view = load_shard(path);
    config::Config& next = view.config;
    const auto warnings = core::restart_only_warnings(restart_only(running), restart_only(next));
    for (const auto warning : warnings) parts.log.warn(warning);
    // Sinks first: resolutions of alerts the new config retires go to the sinks it keeps.
    parts.dispatcher.apply(next.alerts);
    parts.engine.apply(next);
    if (!parts.keep_log_format) parts.log.set_format(next.log.format);
    if (!parts.keep_log_level) parts.log.set_level(next.log.level);
    const bool shard_changed = running.shard != next.shard;
    running = std::move(next);
    record_config_loaded(parts.metrics);
    record_shard(view.summary, shard_changed, parts.metrics, parts.log);
    parts.log.info("config reloaded", {{"trigger", trigger},
                                       {"targets", std::to_string(running.targets.size())}});
    return std::nullopt;
  } catch (const std::exception& e) {
    std::string error = e.what();
    parts.metrics.config_last_reload_successful().Set(0);
    parts.log.error("config reload failed", {{"trigger", trigger}, {"reason", error}});
    return error;
  }
}

}  // namespace flywatch::engine
