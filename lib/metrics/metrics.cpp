#include "metrics/metrics.hpp"

#include <sstream>

#include <prometheus/text_serializer.h>

#include "metrics/exposition.hpp"
#include "metrics/process_collector.hpp"

namespace flywatch::metrics {

namespace {

std::size_t reason_index(core::FailureReason r) { return static_cast<std::size_t>(r); }

// The per-target families, in exposition order. Names and help texts live here and only here.
struct FamilyInfo {
  const char* name;
  const char* help;
  const char* type;
};
constexpr FamilyInfo probe_success_family{"flywatch_probe_success",
                                          "Whether the last probe of the target succeeded (1) or not (0).",
                                          "gauge"};
constexpr FamilyInfo probe_duration_family{"flywatch_probe_duration_seconds",
                                           "Duration of whole probes, start to end, in seconds.",
                                           "histogram"};
constexpr FamilyInfo probe_phase_family{"flywatch_probe_phase_seconds",
                                        "Duration of each phase of the last probe, in seconds.",
                                        "gauge"};
constexpr FamilyInfo probes_total_family{"flywatch_probes_total", "Probes run, by result.", "counter"};
constexpr FamilyInfo probe_failures_family{"flywatch_probe_failures_total", "Failed probes, by reason.",
                                           "counter"};
constexpr FamilyInfo http_status_family{
    "flywatch_probe_http_status_code",
    "HTTP status code of the last probe (0 when none was received).", "gauge"};
constexpr FamilyInfo cert_expiry_family{
    "flywatch_tls_cert_expiry_timestamp_seconds",
    "Earliest notAfter in the certificate chain served, as a Unix time.", "gauge"};
constexpr FamilyInfo target_up_family{"flywatch_target_up",
                                      "Whether the target is up (1) or down (0) after thresholds.",
                                      "gauge"};

// `le` label values of the duration histogram, rendered once.
const std::vector<std::string>& duration_le_texts() {
  static const std::vector<std::string> texts = ExpositionWriter::le_texts(probe_duration_buckets());
  return texts;
}

}  // namespace

const std::vector<double>& probe_duration_buckets() {
  static const std::vector<double> buckets{0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
                                           0.5,   1,    2.5,   5,    10,  30};
  return buckets;
}

TargetSeries::TargetSeries(const std::string& name)
    : label("target=\"" + escape_label_value(name) + "\""), probe_duration(probe_duration_buckets()) {}

Metrics::Metrics(const std::string& version)
    : registry_(std::make_shared<prometheus::Registry>()), journeys_(*registry_) {
  scheduler_lateness_ =
      &prometheus::BuildHistogram()
           .Name("flywatch_scheduler_lateness_seconds")
           .Help("Delay between a probe's due time and its start, in seconds.")
           .Register(*registry_)
           .Add({}, prometheus::Histogram::BucketBoundaries{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                                            0.05, 0.1, 0.25, 0.5, 1, 5});
  reload_successful_ = &prometheus::BuildGauge()
                            .Name("flywatch_config_last_reload_successful")
                            .Help("Whether the last configuration reload succeeded.")
                            .Register(*registry_)
                            .Add({});
  reload_success_ts_ = &prometheus::BuildGauge()
                            .Name("flywatch_config_last_reload_success_timestamp_seconds")
                            .Help("Unix time of the last successful configuration load.")
                            .Register(*registry_)
                            .Add({});
  shard_info_ = &prometheus::BuildGauge()
                     .Name("flywatch_shard_info")
                     .Help("Always 1; labelled with the shard of the config this instance watches "
                           "(index of count).")
                     .Register(*registry_);
  set_shard(core::Shard{});
  alerts_firing_ = &prometheus::BuildGauge()
                        .Name("flywatch_alerts_firing")
                        .Help("Alerts firing now, by alert name.")
                        .Register(*registry_);
  alerts_inhibited_ = &prometheus::BuildCounter()
                           .Name("flywatch_alerts_inhibited_total")
                           .Help("Times an alert became inhibited (alerts.inhibit), by alert name.")
                           .Register(*registry_);
  webhook_deliveries_ = &prometheus::BuildCounter()
                             .Name("flywatch_webhook_deliveries_total")
                             .Help("Alert delivery attempts per sink, by result (delivered, retry, failed).")
                             .Register(*registry_);
  webhook_queue_depth_ = &prometheus::BuildGauge()
                              .Name("flywatch_webhook_queue_depth")
                              .Help("Alert events waiting for delivery, per sink.")
                              .Register(*registry_);
  webhook_oldest_pending_ = &prometheus::BuildGauge()
                                 .Name("flywatch_webhook_oldest_pending_seconds")
                                 .Help("Age of the oldest undelivered alert event, per sink; 0 when none.")
                                 .Register(*registry_);
  log_lines_dropped_ = &prometheus::BuildCounter()
                            .Name("flywatch_log_lines_dropped_total")
                            .Help("Log lines dropped because stderr (or the journal) did not keep up.")
                            .Register(*registry_)
                            .Add({});
  prometheus::BuildGauge()
      .Name("flywatch_build_info")
      .Help("Always 1; labelled with the flywatch version.")
      .Register(*registry_)
      .Add({{"version", version}})
      .Set(1);
}

void Metrics::set_shard(const core::Shard& shard) {
  if (shard_series_ != nullptr) shard_info_->Remove(shard_series_);
  shard_series_ = &shard_info_->Add(
      {{"index", std::to_string(shard.index)}, {"count", std::to_string(shard.count)}});
  shard_series_->Set(1);
}

void Metrics::set_log_lines_dropped(std::uint64_t total) {
  // A counter only goes up: it follows the writer's total by the difference.
  const double now = static_cast<double>(total);
  if (now > log_lines_dropped_->Value()) log_lines_dropped_->Increment(now - log_lines_dropped_->Value());
}

void Metrics::set_alerts_firing(const std::string& alertname, double count) {
  alerts_firing_->Add({{"alertname", alertname}}).Set(count);
}

void Metrics::count_alerts_inhibited(const std::string& alertname, double n) {
  alerts_inhibited_->Add({{"alertname", alertname}}).Increment(n);
}

void Metrics::count_webhook_delivery(const std::string& sink, std::string_view result) {
  webhook_deliveries_->Add({{"sink", sink}, {"result", std::string(result)}}).Increment();
}

void Metrics::set_webhook_queue(const std::string& sink, double depth, double oldest_pending_seconds) {
  webhook_queue_depth_->Add({{"sink", sink}}).Set(depth);
  webhook_oldest_pending_->Add({{"sink", sink}}).Set(oldest_pending_seconds);
}

void Metrics::remove_sink(const std::string& sink) {
  for (const char* result : {"delivered", "retry", "failed"}) {
    const prometheus::Labels labels{{"sink", sink}, {"result", result}};
    if (webhook_deliveries_->Has(labels)) webhook_deliveries_->Remove(&webhook_deliveries_->Add(labels));
  }
  const prometheus::Labels labels{{"sink", sink}};
  if (webhook_queue_depth_->Has(labels)) webhook_queue_depth_->Remove(&webhook_queue_depth_->Add(labels));
  if (webhook_oldest_pending_->Has(labels)) {
    webhook_oldest_pending_->Remove(&webhook_oldest_pending_->Add(labels));
  }
}

TargetSeries& Metrics::target(const std::string& name) {
  auto it = targets_.find(name);
  if (it == targets_.end()) it = targets_.emplace(name, std::make_shared<TargetSeries>(name)).first;
  return *it->second;
}

void Metrics::count_failure(const std::string& name, core::FailureReason reason) {
  auto& slot = target(name).failures.at(reason_index(reason));
  if (slot == nullptr) slot = std::make_unique<prometheus::Counter>();
  slot->Increment();
}

void Metrics::set_cert_expiry(const std::string& name, double unix_seconds) {
  auto& s = target(name);
  if (s.cert_expiry == nullptr) s.cert_expiry = std::make_unique<prometheus::Gauge>();
  s.cert_expiry->Set(unix_seconds);
}

void Metrics::set_target_up(const std::string& name, bool up) {
  auto& s = target(name);
  if (s.target_up == nullptr) s.target_up = std::make_unique<prometheus::Gauge>();
  s.target_up->Set(up ? 1 : 0);
}

void Metrics::remove_target(const std::string& name) { targets_.erase(name); }

namespace {

// One per-target family: its header, then the lines of one target at a time, so a render can
// stop between targets. Each returns the number of sample lines it wrote.
struct TargetFamily {
  const FamilyInfo& info;
  std::size_t (*render)(ExpositionWriter& w, std::string& labels, const TargetSeries& s);
};

std::size_t gauge_line(ExpositionWriter& w, const FamilyInfo& f, const TargetSeries& s,
                       const prometheus::Gauge* g) {
  if (g == nullptr) return 0;
  w.sample(f.name, s.label, g->Value());
  return 1;
}

std::size_t render_success(ExpositionWriter& w, std::string&, const TargetSeries& s) {
  return gauge_line(w, probe_success_family, s, s.probed() ? &s.probe_success : nullptr);
}

std::size_t render_duration(ExpositionWriter& w, std::string& labels, const TargetSeries& s) {
  static const std::string bucket_name = std::string(probe_duration_family.name) + "_bucket";
  static const std::string sum_name = std::string(probe_duration_family.name) + "_sum";
  static const std::string count_name = std::string(probe_duration_family.name) + "_count";
  const auto& le = duration_le_texts();
  const auto h = s.probe_duration.Collect().histogram;
  std::size_t lines = 2;
  for (std::size_t i = 0; i < h.bucket.size() && i < le.size(); ++i, ++lines) {
    labels.assign(s.label).append(",le=\"").append(le[i]).append("\"");
    w.sample(bucket_name, labels, static_cast<double>(h.bucket[i].cumulative_count));
  }
  w.sample(sum_name, s.label, h.sample_sum);
  w.sample(count_name, s.label, static_cast<double>(h.sample_count));
  return lines;
}

std::size_t render_phases(ExpositionWriter& w, std::string& labels, const TargetSeries& s) {
  if (!s.probed()) return 0;
  std::size_t lines = 0;
  for (std::size_t i = 0; i < core::probe_phase_count; ++i) {
    if (!s.phases.test(i)) continue;
    labels.assign("phase=\"")
        .append(core::to_string(static_cast<core::ProbePhase>(i)))
        .append("\",")
        .append(s.label);
    w.sample(probe_phase_family.name, labels, s.phase[i].Value());
    ++lines;
  }
  return lines;
}

std::size_t render_probes(ExpositionWriter& w, std::string& labels, const TargetSeries& s) {
  labels.assign("result=\"failure\",").append(s.label);
  w.sample(probes_total_family.name, labels, s.probes_failure.Value());
  labels.assign("result=\"success\",").append(s.label);
  w.sample(probes_total_family.name, labels, s.probes_success.Value());
  return 2;
}

std::size_t render_failures(ExpositionWriter& w, std::string& labels, const TargetSeries& s) {
  std::size_t lines = 0;
  for (std::size_t i = 0; i < s.failures.size(); ++i) {
    if (!s.failures[i]) continue;
    labels.assign("reason=\"")
        .append(core::to_string(static_cast<core::FailureReason>(i)))
        .append("\",")
        .append(s.label);
    w.sample(probe_failures_family.name, labels, s.failures[i]->Value());
    ++lines;
  }
  return lines;
}

std::size_t render_status(ExpositionWriter& w, std::string&, const TargetSeries& s) {
  return gauge_line(w, http_status_family, s, s.probed() ? &s.http_status : nullptr);
}

std::size_t render_cert(ExpositionWriter& w, std::string&, const TargetSeries& s) {
  return gauge_line(w, cert_expiry_family, s, s.cert_expiry.get());
}

std::size_t render_up(ExpositionWriter& w, std::string&, const TargetSeries& s) {
  return gauge_line(w, target_up_family, s, s.target_up.get());
}

// In exposition order.
const std::array<TargetFamily, 8> target_families{{
    {probe_success_family, render_success},
    {probe_duration_family, render_duration},
    {probe_phase_family, render_phases},
    {probes_total_family, render_probes},
    {probe_failures_family, render_failures},
    {http_status_family, render_status},
    {cert_expiry_family, render_cert},
    {target_up_family, render_up},
}};

}  // namespace

MetricsRender::MetricsRender(const Metrics& metrics,
                             std::vector<std::shared_ptr<const TargetSeries>> targets)
    : metrics_(&metrics), targets_(std::move(targets)) {
  // About 1.7 KiB per target; reserving avoids repeated regrowth of a multi-megabyte string.
  out_.reserve(4096 + targets_.size() * 1800);
}

bool MetricsRender::step(std::size_t max_lines) {
  if (done_) return true;
  ExpositionWriter w(out_);
  std::size_t lines = 0;
  while (family_ < target_families.size()) {
    const TargetFamily& f = target_families[family_];
    if (!header_written_) {
      w.header(f.info.name, f.info.help, f.info.type);
      header_written_ = true;
    }
    while (next_ < targets_.size()) {
      if (lines >= max_lines && lines > 0) return false;
      lines += f.render(w, scratch_, *targets_[next_++]);
    }
    ++family_;
    next_ = 0;
    header_written_ = false;
  }
  // The rest is small (no per-target series): one step.
  metrics_->render_tail(out_);
  targets_.clear();
  done_ = true;
  return true;
}

MetricsRender Metrics::start_render() const {
  std::vector<std::shared_ptr<const TargetSeries>> targets;
  targets.reserve(targets_.size());
  for (const auto& [name, s] : targets_) targets.push_back(s);
  return MetricsRender(*this, std::move(targets));
}

void Metrics::render_tail(std::string& out) const {
  fleet_.render(out);
  auto families = registry_->Collect();
  auto process = collect_process_metrics();
  families.insert(families.end(), std::make_move_iterator(process.begin()),
                  std::make_move_iterator(process.end()));
  std::ostringstream rest;
  prometheus::TextSerializer{}.Serialize(rest, families);
  out += rest.str();
}

std::string Metrics::render() const {
  MetricsRender r = start_render();
  r.step(static_cast<std::size_t>(-1));
  return r.take();
}

}  // namespace flywatch::metrics
