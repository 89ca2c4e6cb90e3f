#include "engine/startup.hpp"

#include <algorithm>
#include <filesystem>
#include <system_error>
#include <vector>

#include "alert/alert_notes.hpp"
#include "alert/alert_state.hpp"
#include "core/daemon_policy.hpp"

namespace flywatch::engine {

namespace {

void report_replay(const alert::ReplayReport& r, log::Logger& log) {
  if (r.dropped_tail_bytes > 0) {
    log.warn("outbox: torn last record dropped",
             {{"bytes", std::to_string(r.dropped_tail_bytes)}, {"reason", r.dropped_tail_reason}});
  }
  for (const auto& c : r.corruptions) {
    log.error("outbox: damaged records skipped", {{"offset", std::to_string(c.offset)},
                                                  {"bytes", std::to_string(c.bytes)},
                                                  {"reason", c.reason},
                                                  {"copy", r.preserved_copy}});
  }
  if (r.write_error) {
    log.error("outbox write failed",
              {{"reason", r.write_error.message()}, {"effect", "alert events wait in memory"}});
  }
  if (r.pending_events > 0) {
    log.info("outbox replayed", {{"pending", std::to_string(r.pending_events)}});
  }
}

/// The alerts firing before the restart: state_dir/alerts.json, then the alert notes the outbox
/// holds past what it covers (lib/alert/alert_notes.hpp), so that the alerts restored are those
/// whose events the outbox has accepted.
alert::RestoredAlertState read_restored_alerts(const std::string& state_dir,
                                               alert::WebhookOutbox& outbox, log::Logger& log) {
  alert::RestoredAlertState r = alert::restore_alert_state(state_dir, outbox.notes());
  const std::string path = (std::filesystem::path(state_dir) / alert::alert_state_file_name).string();
  if (r.read_error) {
    log.error("cannot read the alert state", {{"path", path}, {"reason", r.read_error.message()}});
  } else if (!r.parse_error.empty()) {
    // Alerts the outbox does not know of will fire again as new rather than be forgotten.
    log.error("alert state unreadable; ignored", {{"path", path}, {"reason", r.parse_error}});
  }
  if (r.bad_notes > 0) {
    log.error("outbox: unreadable alert notes skipped", {{"notes", std::to_string(r.bad_notes)}});
  }
  // Seqs go on past what alerts.json covers even if compaction emptied the outbox, and the
  // notes it covers are done with.
  outbox.reserve_seq(r.outbox_seq + 1);
  outbox.drop_notes_through(r.outbox_seq);
  return r;
}

}  // namespace

std::chrono::milliseconds restore_grace(const config::Config& cfg) {
  std::vector<core::ProbeCadence> targets;
  targets.reserve(cfg.targets.size());
  for (const auto& t : cfg.targets) targets.push_back({t.interval, t.timeout, t.failure_threshold});
  std::optional<core::PollCadence> fly;
  if (cfg.fly) {
    fly = core::PollCadence{cfg.fly->poll_interval, {}};
    for (const auto& app : cfg.fly->apps) {
      fly->longest_cold_start_slo = std::max(fly->longest_cold_start_slo, app.cold_start_slo);
    }
  }
  return core::restore_grace(targets, fly);
}

OpenedOutbox open_outbox(const std::string& state_dir, log::Logger& log) {
  const std::filesystem::path dir(state_dir);
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) {
    log.error("cannot use state_dir", {{"path", state_dir}, {"reason", ec.message()}});
    return {nullptr, StartupFailure::config};
  }
  auto opened = alert::WebhookOutbox::open(dir);
  if (!opened.outbox) {
    log.error("cannot open the alert outbox",
              {{"path", state_dir}, {"reason", opened.detail + ": " + opened.error.message()}});
    return {nullptr, opened.error == std::errc::not_a_directory ? StartupFailure::config
                                                                 : StartupFailure::internal};
  }
  report_replay(opened.report, log);
  return {std::make_unique<alert::OutboxWorker>(std::move(opened.outbox), true),
          StartupFailure::none};
}

void connect_alerts(Engine& engine, AlertDispatcher& dispatcher) {
  engine.alerts().set_publisher(
      [&dispatcher](const std::vector<core::AlertEvent>& events,
                    std::optional<std::vector<alert::PersistedAlert>> state) {
        dispatcher.publish(events, std::move(state));
      });
  dispatcher.set_firing_source([&engine] { return engine.alerts().notified_firing(); });
}

void start_watching(const config::Config& cfg, Engine& engine, AlertDispatcher& dispatcher,
                    alert::OutboxWorker& outbox, log::Logger& log) {
  engine.apply(cfg);
  const alert::RestoredAlertState restored =
      read_restored_alerts(cfg.state_dir, outbox.outbox(), log);
  dispatcher.apply(cfg.alerts);
  dispatcher.seed_queues(outbox.outbox().stats());
  engine.alerts().restore(restored.alerts, restore_grace(cfg), std::chrono::system_clock::now());
  if (!restored.alerts.empty() || restored.from_outbox > 0) {
    log.info("alerts restored", {{"firing", std::to_string(restored.alerts.size())},
                                 {"from_outbox", std::to_string(restored.from_outbox)}});
  }
}

}  // namespace flywatch::engine
