#include "metrics/metrics.hpp"

#include <sstream>

#include <prometheus/text_serializer.h>

#include "metrics/process_collector.hpp"

namespace flywatch::metrics {

namespace {

using prometheus::BuildCounter;
using prometheus::BuildGauge;
using prometheus::BuildHistogram;

std::size_t reason_index(core::FailureReason r) { return static_cast<std::size_t>(r); }

}  // namespace

const std::vector<double>& probe_duration_buckets() {
  static const std::vector<double> buckets{0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
                                           0.5,   1,    2.5,   5,    10,  30};
  return buckets;
}

Metrics::Metrics(const std::string& version)
    : registry_(std::make_shared<prometheus::Registry>()),
      probe_success_(BuildGauge()
                         .Name("flywatch_probe_success")
                         .Help("Whether the last probe of the target succeeded (1) or not (0).")
                         .Register(*registry_)),
      probe_duration_(BuildHistogram()
                          .Name("flywatch_probe_duration_seconds")
                          .Help("Duration of whole probes, start to end, in seconds.")
                          .Register(*registry_)),
      probe_phase_(BuildGauge()
                       .Name("flywatch_probe_phase_seconds")
                       .Help("Duration of each phase of the last probe, in seconds.")
                       .Register(*registry_)),
      probes_total_(BuildCounter()
                        .Name("flywatch_probes_total")
                        .Help("Probes run, by result.")
                        .Register(*registry_)),
      probe_failures_(BuildCounter()
                          .Name("flywatch_probe_failures_total")
                          .Help("Failed probes, by reason.")
                          .Register(*registry_)),
      http_status_(BuildGauge()
                       .Name("flywatch_probe_http_status_code")
                       .Help("HTTP status code of the last probe (0 when none was received).")
                       .Register(*registry_)),
      cert_expiry_(BuildGauge()
                       .Name("flywatch_tls_cert_expiry_timestamp_seconds")
                       .Help("Earliest notAfter in the certificate chain served, as a Unix time.")
                       .Register(*registry_)),
      target_up_(BuildGauge()
                     .Name("flywatch_target_up")
                     .Help("Whether the target is up (1) or down (0) after thresholds.")
                     .Register(*registry_)),
      lateness_family_(BuildHistogram()
                           .Name("flywatch_scheduler_lateness_seconds")
                           .Help("Delay between a probe's due time and its start, in seconds.")
                           .Register(*registry_)),
      reload_successful_family_(BuildGauge()
                                    .Name("flywatch_config_last_reload_successful")
                                    .Help("Whether the last configuration reload succeeded.")
                                    .Register(*registry_)),
      reload_ts_family_(BuildGauge()
                            .Name("flywatch_config_last_reload_success_timestamp_seconds")
                            .Help("Unix time of the last successful configuration load.")
                            .Register(*registry_)),
      build_info_(BuildGauge()
                      .Name("flywatch_build_info")
                      .Help("Always 1; labelled with the flywatch version.")
                      .Register(*registry_)) {
  scheduler_lateness_ = &lateness_family_.Add(
      {}, prometheus::Histogram::BucketBoundaries{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                                  0.1, 0.25, 0.5, 1, 5});
  reload_successful_ = &reload_successful_family_.Add({});
  reload_success_ts_ = &reload_ts_family_.Add({});
  build_info_.Add({{"version", version}}).Set(1);
}

TargetSeries& Metrics::target(const std::string& name) {
  auto it = targets_.find(name);
  if (it != targets_.end()) return it->second;
  TargetSeries s;
  const prometheus::Labels l{{"target", name}};
  s.probe_success = &probe_success_.Add(l);
  s.probe_duration = &probe_duration_.Add(l, probe_duration_buckets());
  for (std::size_t i = 0; i < core::probe_phase_count; ++i) {
    s.phase[i] = &probe_phase_.Add(
        {{"target", name}, {"phase", std::string(core::to_string(static_cast<core::ProbePhase>(i)))}});
  }
  s.probes_success = &probes_total_.Add({{"target", name}, {"result", "success"}});
  s.probes_failure = &probes_total_.Add({{"target", name}, {"result", "failure"}});
  s.http_status = &http_status_.Add(l);
  return targets_.emplace(name, s).first->second;
}

void Metrics::count_failure(const std::string& name, core::FailureReason reason) {
  auto& s = target(name);
  auto& slot = s.failures.at(reason_index(reason));
  if (slot == nullptr) {
    slot = &probe_failures_.Add({{"target", name}, {"reason", std::string(core::to_string(reason))}});
  }
  slot->Increment();
}

void Metrics::set_cert_expiry(const std::string& name, double unix_seconds) {
  auto& s = target(name);
  if (s.cert_expiry == nullptr) s.cert_expiry = &cert_expiry_.Add({{"target", name}});
  s.cert_expiry->Set(unix_seconds);
}

void Metrics::set_target_up(const std::string& name, bool up) {
  auto& s = target(name);
  if (s.target_up == nullptr) s.target_up = &target_up_.Add({{"target", name}});
  s.target_up->Set(up ? 1 : 0);
}

void Metrics::remove_target(const std::string& name) {
  auto it = targets_.find(name);
  if (it == targets_.end()) return;
  auto& s = it->second;
  probe_success_.Remove(s.probe_success);
  probe_duration_.Remove(s.probe_duration);
  for (auto* g : s.phase) probe_phase_.Remove(g);
  probes_total_.Remove(s.probes_success);
  probes_total_.Remove(s.probes_failure);
  for (auto* c : s.failures) {
    if (c != nullptr) probe_failures_.Remove(c);
  }
  http_status_.Remove(s.http_status);
  if (s.cert_expiry != nullptr) cert_expiry_.Remove(s.cert_expiry);
  if (s.target_up != nullptr) target_up_.Remove(s.target_up);
  targets_.erase(it);
}

std::string Metrics::render() const {
  auto families = registry_->Collect();
  auto process = collect_process_metrics();
  families.insert(families.end(), std::make_move_iterator(process.begin()),
                  std::make_move_iterator(process.end()));
  std::ostringstream out;
  prometheus::TextSerializer{}.Serialize(out, families);
  return out.str();
}

}  // namespace flywatch::metrics
