#include "metrics/journey_metrics.hpp"

#include "metrics/metrics.hpp"

namespace flywatch::metrics {

JourneyMetrics::JourneyMetrics(prometheus::Registry& registry)
    : success_(&prometheus::BuildGauge()
                    .Name("flywatch_journey_success")
                    .Help("Whether the last run of the journey passed every step (1) or not (0).")
                    .Register(registry)),
      duration_(&prometheus::BuildHistogram()
                     .Name("flywatch_journey_duration_seconds")
                     .Help("Duration of whole journey runs, first step to last, in seconds.")
                     .Register(registry)),
      step_duration_(&prometheus::BuildGauge()
                          .Name("flywatch_journey_step_duration_seconds")
                          .Help("Duration of each step of the last run of the journey, in seconds.")
                          .Register(registry)),
      failures_(&prometheus::BuildCounter()
                     .Name("flywatch_journey_failures_total")
                     .Help("Failed journey runs, by the step that failed and its reason.")
                     .Register(registry)) {}

void JourneyMetrics::record_run(const std::string& journey, const JourneyRunMetrics& run) {
  Created& made = created_[journey];
  success_->Add({{"journey", journey}}).Set(run.success ? 1 : 0);
  duration_->Add({{"journey", journey}}, probe_duration_buckets()).Observe(run.seconds);
  for (const auto& [step, seconds] : run.steps) {
    step_duration_->Add({{"journey", journey}, {"step", step}}).Set(seconds);
    made.steps.insert(step);
  }
  if (run.failure) {
    const std::string reason(core::to_string(run.failure->second));
    failures_->Add({{"journey", journey}, {"step", run.failure->first}, {"reason", reason}})
        .Increment();
    made.failures.emplace(run.failure->first, reason);
  }
}

void JourneyMetrics::remove_journey(const std::string& journey) {
  const auto it = created_.find(journey);
  if (it == created_.end()) return;
  const prometheus::Labels labels{{"journey", journey}};
  if (success_->Has(labels)) success_->Remove(&success_->Add(labels));
  if (duration_->Has(labels)) duration_->Remove(&duration_->Add(labels, probe_duration_buckets()));
  for (const std::string& step : it->second.steps) {
    const prometheus::Labels l{{"journey", journey}, {"step", step}};
    if (step_duration_->Has(l)) step_duration_->Remove(&step_duration_->Add(l));
  }
  for (const auto& [step, reason] : it->second.failures) {
    const prometheus::Labels l{{"journey", journey}, {"step", step}, {"reason", reason}};
    if (failures_->Has(l)) failures_->Remove(&failures_->Add(l));
  }
  created_.erase(it);
}

}  // namespace flywatch::metrics
