#pragma once
/// The journey families of DESIGN §6: flywatch_journey_success, flywatch_journey_duration_seconds,
/// flywatch_journey_step_duration_seconds and flywatch_journey_failures_total. Journeys are few
/// (tens, not thousands), so prometheus-cpp families in the shared registry render them.
/// Single-threaded, like Metrics.

#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include "core/probe_result.hpp"

namespace flywatch::metrics {

/// One run of a journey, as its series record it.
struct JourneyRunMetrics {
  bool success = false;
  double seconds = 0;
  /// Each step that ran, in order, with its duration.
  std::vector<std::pair<std::string, double>> steps;
  /// The failed step and its reason (unset when the run passed).
  std::optional<std::pair<std::string, core::FailureReason>> failure;
};

class JourneyMetrics {
 public:
  explicit JourneyMetrics(prometheus::Registry& registry);
  JourneyMetrics(const JourneyMetrics&) = delete;
  JourneyMetrics& operator=(const JourneyMetrics&) = delete;

  /// Records one run of `journey`: its success and duration, each step's duration, and a
  /// failure counted by step and reason.
  void record_run(const std::string& journey, const JourneyRunMetrics& run);
  /// Removes every series labelled with `journey` (gone from the config, or changed).
  void remove_journey(const std::string& journey);

 private:
  prometheus::Family<prometheus::Gauge>* success_;
  prometheus::Family<prometheus::Histogram>* duration_;
  prometheus::Family<prometheus::Gauge>* step_duration_;
  prometheus::Family<prometheus::Counter>* failures_;
  /// The label sets created per journey, so remove_journey finds them all.
  struct Created {
    std::set<std::string> steps;
    std::set<std::pair<std::string, std::string>> failures;  ///< (step, reason)
  };
  std::map<std::string, Created, std::less<>> created_;
};

}  // namespace flywatch::metrics
