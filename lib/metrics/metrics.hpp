#pragma once
/// Every flywatch metric, declared in one place (DESIGN §6). Names follow Prometheus naming rules:
/// `flywatch_` prefix, base units in the name, `_total` on counters, bounded label values only.

#include <array>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include "core/probe_result.hpp"

namespace flywatch::metrics {

/// The series of one probed target. References stay valid until the target is removed.
struct TargetSeries {
  prometheus::Gauge* probe_success = nullptr;
  prometheus::Histogram* probe_duration = nullptr;
  std::array<prometheus::Gauge*, core::probe_phase_count> phase{};
  prometheus::Counter* probes_success = nullptr;
  prometheus::Counter* probes_failure = nullptr;
  /// Failure counters by reason, created on first failure of that reason so a healthy target
  /// costs no idle series.
  std::array<prometheus::Counter*, 12> failures{};
  prometheus::Gauge* http_status = nullptr;
  /// Created when a certificate is first seen (plain http targets never have one).
  prometheus::Gauge* cert_expiry = nullptr;
  /// Created when the first result sets a state, so a new target is not reported down.
  prometheus::Gauge* target_up = nullptr;
};

/// Owns the registry and every family. Not thread-safe beyond what prometheus-cpp guarantees;
/// flywatch touches it only from its one io_context thread.
class Metrics {
 public:
  explicit Metrics(const std::string& version);
  Metrics(const Metrics&) = delete;
  Metrics& operator=(const Metrics&) = delete;

  /// The series of `target`, created on first use.
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

  /// The Prometheus text exposition (format 0.0.4) of everything, process_* metrics included.
  std::string render() const;

 private:
  std::shared_ptr<prometheus::Registry> registry_;
  prometheus::Family<prometheus::Gauge>& probe_success_;
  prometheus::Family<prometheus::Histogram>& probe_duration_;
  prometheus::Family<prometheus::Gauge>& probe_phase_;
  prometheus::Family<prometheus::Counter>& probes_total_;
  prometheus::Family<prometheus::Counter>& probe_failures_;
  prometheus::Family<prometheus::Gauge>& http_status_;
  prometheus::Family<prometheus::Gauge>& cert_expiry_;
  prometheus::Family<prometheus::Gauge>& target_up_;
  prometheus::Family<prometheus::Histogram>& lateness_family_;
  prometheus::Family<prometheus::Gauge>& reload_successful_family_;
  prometheus::Family<prometheus::Gauge>& reload_ts_family_;
  prometheus::Family<prometheus::Gauge>& build_info_;
  prometheus::Histogram* scheduler_lateness_;
  prometheus::Gauge* reload_successful_;
  prometheus::Gauge* reload_success_ts_;
  std::map<std::string, TargetSeries, std::less<>> targets_;
};

/// Bucket bounds of flywatch_probe_duration_seconds.
const std::vector<double>& probe_duration_buckets();

}  // namespace flywatch::metrics
