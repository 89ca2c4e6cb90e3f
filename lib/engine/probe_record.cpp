#include "engine/probe_record.hpp"

#include "core/duration.hpp"

namespace flywatch::engine {

namespace {

core::LogFields with_context(core::LogFields fields, const core::LogFields& context) {
  fields.insert(fields.end(), context.begin(), context.end());
  return fields;
}

}  // namespace

core::Verdict record_probe(TargetRuntime& t, const core::ProbeResult& result,
                           metrics::Metrics& metrics_, log::Logger& log_, AlertCenter& alerts,
                           const core::LogFields& context) {
  const auto now = std::chrono::system_clock::now();
  const core::Verdict verdict = core::evaluate(result, t.cfg.expect, now);
  const std::string& name = t.cfg.name;

  auto& s = metrics_.target(name);
  s.probe_success.Set(verdict.success ? 1 : 0);
  s.probe_duration.Observe(core::to_seconds(result.total));
  for (std::size_t i = 0; i < core::probe_phase_count; ++i) {
    s.phase[i].Set(result.phases[i] ? core::to_seconds(*result.phases[i]) : 0.0);
  }
  (verdict.success ? s.probes_success : s.probes_failure).Increment();
  if (!verdict.success) metrics_.count_failure(name, verdict.reason);
  s.http_status.Set(result.http_status);
  if (result.cert_not_after) {
    metrics_.set_cert_expiry(
        name, core::to_seconds(result.cert_not_after->time_since_epoch()));
  }

  if (!verdict.success) {
    // The first failure of a kind is worth a line; the same failure every interval is not.
    const bool news = t.last_failure != verdict.reason;
    log_.write(news ? core::LogLevel::warn : core::LogLevel::debug, "probe failed",
               with_context({{"target", name},
                             {"reason", std::string(core::to_string(verdict.reason))},
                             {"error", verdict.detail},
                             {"duration_ms", core::format_ms_count(result.total)}},
                            context));
  } else if (t.last_failure != core::FailureReason::none) {
    log_.info("probe succeeded",
              with_context({{"target", name}, {"duration_ms", core::format_ms_count(result.total)}}, context));
  }
  t.last_failure = verdict.success ? core::FailureReason::none : verdict.reason;

  if (auto change = t.health.observe(verdict.success, now)) {
    metrics_.set_target_up(name, change->to == core::TargetState::up);
    core::LogFields fields{{"target", name},
                           {"from", std::string(core::to_string(change->from))},
                           {"to", std::string(core::to_string(change->to))}};
    if (!verdict.success) fields.emplace_back("reason", std::string(core::to_string(verdict.reason)));
    log_.write(change->to == core::TargetState::down ? core::LogLevel::warn : core::LogLevel::info,
               "target state changed", with_context(std::move(fields), context));
  }

  t.last = LastOutcome{verdict, result.status_code(), result.total, now};
  alerts.observe_target(t, verdict, result, now);
  return verdict;
}

}  // namespace flywatch::engine
