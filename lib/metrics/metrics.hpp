#pragma once
/// Every flywatch metric, declared in one place (DESIGN §6). Names follow Prometheus naming rules:
/// `flywatch_` prefix, base units in the name, `_total` on counters, bounded label values only.

#include <array>
#include <bitset>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include "core/probe_result.hpp"
#include "core/shard.hpp"
#include "metrics/fleet_metrics.hpp"
#include "metrics/journey_metrics.hpp"

namespace flywatch::metrics {

/// Bucket bounds of flywatch_probe_duration_seconds.
const std::vector<double>& probe_duration_buckets();

/// The series of one probed target, owned directly (not through a prometheus-cpp Family) so a
/// scrape of 10,000 targets renders from them without copying (see exposition.hpp).
struct TargetSeries {
  explicit TargetSeries(const std::string& name);
  TargetSeries(const TargetSeries&) = delete;
  TargetSeries& operator=(const TargetSeries&) = delete;

  std::string label;  ///< `target="<escaped name>"`, rendered once
  prometheus::Gauge probe_success;
  prometheus::Histogram probe_duration;
  std::array<prometheus::Gauge, core::probe_phase_count> phase;
  /// The phases exposed (by default all; the engine narrows it to the phases of the target's
  /// kind, so a tcp target shows no tls phase).
  std::bitset<core::probe_phase_count> phases{(1u << core::probe_phase_count) - 1};
  prometheus::Counter probes_success;
  prometheus::Counter probes_failure;
  /// Failure counters by reason, created on the first failure of that reason so a healthy
  /// target costs no idle series. Indexed by the reason's value (none, 0, is never used).
  std::array<std::unique_ptr<prometheus::Counter>, core::failure_reason_count> failures;
  prometheus::Gauge http_status;
  /// Created when a certificate is first seen (plain http targets never have one).
  std::unique_ptr<prometheus::Gauge> cert_expiry;
  /// Created when the first result sets a state, so a new target is not reported down.
  std::unique_ptr<prometheus::Gauge> target_up;

  /// True once a result was counted. Until then the last-probe gauges (success, phases,
  /// status code) are not exposed: a 0 there would read as a failed probe after every restart.
  bool probed() const { return probes_success.Value() + probes_failure.Value() > 0; }
};

class Metrics;

/// One rendering of the exposition, done in steps so that the event loop can run between them
/// (a scrape of 10,000 targets is about 100 ms of work). The targets are those at
/// Metrics::start_render(): each is held by a shared_ptr, so a target removed by a reload
/// mid-render is still rendered from its last values, never from freed memory; one added
/// mid-render shows from the next scrape. Values are read as each step reaches them, so two
/// families of one target may be a probe apart. Like Metrics, loop-only; the Metrics must
/// outlive it.
class MetricsRender {
 public:
  /// Renders at least one more sample line, and stops once `max_lines` more were written (or
  /// at the end). True when the exposition is complete; then take() returns it.
  bool step(std::size_t max_lines);
  bool done() const { return done_; }
  /// The whole exposition, identical in form to Metrics::render(). Only once done().
  std::string take() { return std::move(out_); }

 private:
  friend class Metrics;
  MetricsRender(const Metrics& metrics, std::vector<std::shared_ptr<const TargetSeries>> targets);

  const Metrics* metrics_;
  std::vector<std::shared_ptr<const TargetSeries>> targets_;  // in name order
  std::size_t family_ = 0;  // the per-target family being rendered
  std::size_t next_ = 0;    // the next target of that family
  bool header_written_ = false;  // of that family
  bool done_ = false;
  std::string out_;
  std::string scratch_;  // reused for every line that adds a label to `target`
};

/// Owns every metric. flywatch touches it only from its one io_context thread.
class Metrics {
 public:
  explicit Metrics(const std::string& version);
  Metrics(const Metrics&) = delete;
  Metrics& operator=(const Metrics&) = delete;

  /// The series of `target`, created on first use. The reference stays valid until
  /// remove_target(name).
  TargetSeries& target(const std::string& name);
  /// Counts one failure of `reason` for `target` (reason must not be none).
  void count_failure(const std::string& name, core::FailureReason reason);
  /// Sets flywatch_tls_cert_expiry_timestamp_seconds of `target`.
  void set_cert_expiry(const std::string& name, double unix_seconds);
  /// Sets flywatch_target_up of `target`.
  void set_target_up(const std::string& name, bool up);
  /// Removes every series labelled with `target` (on reload, when the target is gone).
  void remove_target(const std::string& name);

  /// Seconds between a probe's due time and its actual start.
  prometheus::Histogram& scheduler_lateness() { return *scheduler_lateness_; }
  prometheus::Gauge& config_last_reload_successful() { return *reload_successful_; }
  prometheus::Gauge& config_last_reload_success_timestamp() { return *reload_success_ts_; }
  /// flywatch_shard_info{index,count} 1 for `shard`, replacing the previous shard's series
  /// (0 of 1 until the first call).
  void set_shard(const core::Shard& shard);
  /// The Fly machine families (flywatch_machine_*, flywatch_app_*, ...), rendered by render().
  FleetMetrics& fleet() { return fleet_; }
  /// The journey families (flywatch_journey_*).
  JourneyMetrics& journeys() { return journeys_; }

  /// flywatch_alerts_firing{alertname}: alerts firing now, by name.
  void set_alerts_firing(const std::string& alertname, double count);
  /// flywatch_alerts_inhibited_total{alertname}: adds `n` times an alert became inhibited
  /// (`alerts.inhibit`); n = 0 only creates the series.
  void count_alerts_inhibited(const std::string& alertname, double n = 1);
  /// flywatch_webhook_deliveries_total{sink,result}; `result` is delivered, retry or failed.
  void count_webhook_delivery(const std::string& sink, std::string_view result);
  /// flywatch_webhook_queue_depth{sink} and flywatch_webhook_oldest_pending_seconds{sink}
  /// (0 when the queue is empty).
  void set_webhook_queue(const std::string& sink, double depth, double oldest_pending_seconds);
  /// Removes every flywatch_webhook_* series of `sink` (removed from the config).
  void remove_sink(const std::string& sink);

  /// The Prometheus text exposition (format 0.0.4) of everything, process_* metrics included,
  /// in one go.
  std::string render() const;
  /// The same exposition, rendered in steps (MetricsRender::step) so the loop can run between
  /// them.
  MetricsRender start_render() const;

  /// flywatch_log_lines_dropped_total: log lines dropped because the log writer was behind
  /// (a stderr or journal that does not keep up), given as the writer's running total
  /// (log::Logger::dropped_lines()).
  void set_log_lines_dropped(std::uint64_t total);

 private:
  friend class MetricsRender;
  /// The families after the per-target ones: fleet, journeys, the registry, process_*.
  void render_tail(std::string& out) const;

  // Families without a target label are few and small: prometheus-cpp renders them.
  std::shared_ptr<prometheus::Registry> registry_;
  prometheus::Histogram* scheduler_lateness_;
  prometheus::Gauge* reload_successful_;
  prometheus::Gauge* reload_success_ts_;
  prometheus::Family<prometheus::Gauge>* shard_info_;
  prometheus::Gauge* shard_series_ = nullptr;
  prometheus::Family<prometheus::Gauge>* alerts_firing_;
  prometheus::Family<prometheus::Counter>* alerts_inhibited_;
  prometheus::Family<prometheus::Counter>* webhook_deliveries_;
  prometheus::Family<prometheus::Gauge>* webhook_queue_depth_;
  prometheus::Family<prometheus::Gauge>* webhook_oldest_pending_;
  prometheus::Counter* log_lines_dropped_;
  // shared_ptr: a render in progress holds the series of the targets it started with.
  std::map<std::string, std::shared_ptr<TargetSeries>, std::less<>> targets_;
  FleetMetrics fleet_;
  JourneyMetrics journeys_;
};

}  // namespace flywatch::metrics
