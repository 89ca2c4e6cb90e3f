#include "engine/log_subscriber.hpp"

#include "core/duration.hpp"
#include "engine/fleet_report.hpp"

namespace flywatch::engine {

namespace {

core::LogFields with_context(core::LogFields fields, const core::LogFields& context) {
  fields.insert(fields.end(), context.begin(), context.end());
  return fields;
}

}  // namespace

void LogSubscriber::on(const ProbeRecorded& e) {
  const std::string& name = e.target.cfg.name;
  const core::Verdict& verdict = e.verdict;
  const auto duration_ms = core::format_ms_count(e.result.total);
  if (!verdict.success) {
    // The first failure of a kind is worth a line; the same failure every interval is not.
    const bool news = e.previous_failure != verdict.reason;
    log_.write(news ? core::LogLevel::warn : core::LogLevel::debug, "probe failed",
               with_context({{"target", name},
                             {"reason", std::string(core::to_string(verdict.reason))},
                             {"error", verdict.detail},
                             {"duration_ms", duration_ms}},
                            e.context));
  } else if (e.previous_failure != core::FailureReason::none) {
    log_.info("probe succeeded",
              with_context({{"target", name}, {"duration_ms", duration_ms}}, e.context));
  }
  if (const auto& change = e.state_change) {
    core::LogFields fields{{"target", name},
                           {"from", std::string(core::to_string(change->from))},
                           {"to", std::string(core::to_string(change->to))}};
    if (change->reason) fields.emplace_back("reason", std::string(core::to_string(*change->reason)));
    log_.write(change->to == core::TargetState::down ? core::LogLevel::warn : core::LogLevel::info,
               "target state changed", with_context(std::move(fields), e.context));
  }
}

void LogSubscriber::on(const JourneyRecorded& e) {
  const std::string& name = e.journey.cfg.name();
  const journey::JourneyOutcome& o = e.outcome;
  const auto duration_ms = core::format_ms_count(o.total);
  if (!o.passed) {
    // One line names the failing step and its reason; the same failure every run is not news.
    const bool news = e.previous_failure != failure_key(o);
    log_.write(news ? core::LogLevel::warn : core::LogLevel::debug, "journey failed",
               with_context({{"journey", name},
                             {"step", o.failed_step},
                             {"reason", std::string(core::to_string(o.verdict.reason))},
                             {"error", o.verdict.detail},
                             {"duration_ms", duration_ms}},
                            e.context));
  } else if (!e.previous_failure.empty()) {
    log_.info("journey passed", with_context({{"journey", name}, {"duration_ms", duration_ms}}, e.context));
  } else {
    log_.debug("journey passed", with_context({{"journey", name}, {"duration_ms", duration_ms}}, e.context));
  }
  if (const auto& change = e.state_change) {
    core::LogFields fields{{"journey", name},
                           {"from", std::string(core::to_string(change->from))},
                           {"to", std::string(core::to_string(change->to))}};
    if (change->reason) fields.emplace_back("reason", std::string(core::to_string(*change->reason)));
    log_.write(change->to == core::TargetState::down ? core::LogLevel::warn : core::LogLevel::info,
               "journey state changed", with_context(std::move(fields), e.context));
  }
}

void LogSubscriber::on(const ReleaseObserved& e) {
  if (const auto& r = e.update.released) {
    log_.info("app released", {{"app", e.app},
                               {"from", r->first.version},
                               {"to", r->second.version},
                               {"image", r->second.image}});
  }
  for (const core::ReleaseCommandExit& x : e.update.command_exits) {
    core::LogFields fields{{"app", e.app}, {"machine", x.machine},
                           {"exit_code", std::to_string(x.exit_code)}};
    if (x.oom_killed) fields.emplace_back("reason", "oom_killed");
    if (x.failed()) {
      log_.warn("release command failed", std::move(fields));
    } else {
      log_.info("release command succeeded", std::move(fields));
    }
  }
}

void LogSubscriber::on(const ProbeRunsSkipped& e) {
  if (e.late) {
    log_.warn("probe runs skipped",
              {{"target", e.target}, {"reason", "late"}, {"count", std::to_string(e.count)}});
  } else {
    log_.debug("probe run skipped", {{"target", e.target}, {"reason", "still running"}});
  }
}

void LogSubscriber::on(const FleetUpdated& e) {
  log_fleet_update(e, log_);
  if (e.asleep_changed) log_.info(*e.asleep_changed ? "app asleep" : "app awake", {{"app", e.app}});
}

void LogSubscriber::on(const AppWakeEnded& e) {
  if (e.verdict.success) {
    log_.info("app woken", {{"app", e.app}, {"duration_ms", core::format_ms_count(e.duration)}});
  } else {
    log_.warn("wake-up failed", {{"app", e.app},
                                 {"reason", std::string(core::to_string(e.verdict.reason))},
                                 {"error", e.verdict.detail},
                                 {"duration_ms", core::format_ms_count(e.duration)}});
  }
}

void LogSubscriber::on(const FlyApiFieldSkipped& e) {
  log_.debug("fly api answer skipped a field", {{"app", e.app}, {"error", e.warning}});
}

void LogSubscriber::on(const FlyApiFailed& e) {
  // Once per kind of failure at warn; the states stay as last known.
  log_.write(e.news ? core::LogLevel::warn : core::LogLevel::debug, "fly api request failed",
             {{"app", e.app},
              {"code", e.code},
              {"error", e.error},
              {"retry_in_ms", std::to_string(e.retry_in.count())}});
}

void LogSubscriber::on(const FlyWaitFailed& e) {
  const core::LogFields fields{
      {"app", e.app}, {"machine", e.machine}, {"code", e.code}, {"error", e.error}};
  if (e.refused) {
    log_.warn("fly api refused a wait; not asked again until the machine changes", fields);
  } else {
    log_.debug("fly api wait failed", fields);
  }
}

}  // namespace flywatch::engine
