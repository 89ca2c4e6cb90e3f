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

std::optional<std::string> reload_config(const std::string& path, const char* trigger,
                                         config::Config& running, const ReloadParts& parts) {
  try {
    config::Config next = config::load_config(path);
    const auto warnings = core::restart_only_warnings(restart_only(running), restart_only(next));
    for (const auto warning : warnings) parts.log.warn(warning);
    // Sinks first: resolutions of alerts the new config retires go to the sinks it keeps.
    parts.dispatcher.apply(next.alerts);
    parts.engine.apply(next);
    if (!parts.keep_log_format) parts.log.set_format(next.log.format);
    if (!parts.keep_log_level) parts.log.set_level(next.log.level);
    running = std::move(next);
    record_config_loaded(parts.metrics);
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
