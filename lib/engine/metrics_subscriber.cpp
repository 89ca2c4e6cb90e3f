#include "engine/metrics_subscriber.hpp"

#include "core/duration.hpp"
#include "engine/fleet_report.hpp"
#include "net/prober.hpp"

namespace flywatch::engine {

void MetricsSubscriber::on(const ProbeRecorded& e) {
  const std::string& name = e.target.cfg.name;
  const core::ProbeResult& result = e.result;
  auto& s = metrics_.target(name);
  // Decided at the first result: a runtime's kind never changes (a changed probe is a new
  // target with new series).
  if (!s.probed()) s.phases = net::phases_of_kind(e.target.spec.endpoint.scheme);
  s.probe_success.Set(e.verdict.success ? 1 : 0);
  s.probe_duration.Observe(core::to_seconds(result.total));
  for (std::size_t i = 0; i < core::probe_phase_count; ++i) {
    if (result.phases[i]) s.phases.set(i);
    if (s.phases.test(i)) s.phase[i].Set(result.phases[i] ? core::to_seconds(*result.phases[i]) : 0.0);
  }
  (e.verdict.success ? s.probes_success : s.probes_failure).Increment();
  if (!e.verdict.success) metrics_.count_failure(name, e.verdict.reason);
  s.http_status.Set(result.http_status);
  if (result.cert_not_after) {
    metrics_.set_cert_expiry(name, core::to_seconds(result.cert_not_after->time_since_epoch()));
  }
  if (e.state_change) metrics_.set_target_up(name, e.state_change->to == core::TargetState::up);
}

void MetricsSubscriber::on(const FleetUpdated& e) { count_fleet_update(e, metrics_.fleet()); }

void MetricsSubscriber::on(const MachineProbed& e) {
  metrics_.fleet().set_machine_probe(e.app, e.machine, e.region, e.ok);
}

void MetricsSubscriber::on(const AppWakeEnded& e) {
  if (!e.verdict.success) return;
  metrics_.fleet().observe_wake_latency(e.app, std::chrono::duration<double>(e.duration).count());
}

void MetricsSubscriber::on(const JourneyRecorded& e) {
  metrics::JourneyRunMetrics run;
  run.success = e.outcome.passed;
  run.seconds = core::to_seconds(e.outcome.total);
  for (const core::StepReport& step : e.outcome.steps) {
    run.steps.emplace_back(step.name, core::to_seconds(step.duration));
  }
  if (!e.outcome.passed) run.failure.emplace(e.outcome.failed_step, e.outcome.verdict.reason);
  metrics_.journeys().record_run(e.journey.cfg.name(), run);
}

}  // namespace flywatch::engine
