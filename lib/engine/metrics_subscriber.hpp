#pragma once
/// The metrics side of the event path: every series of probes, targets, machines and the
/// scheduler that the engine writes (DESIGN §6) is written here, from events.

#include "engine/events.hpp"
#include "metrics/metrics.hpp"

namespace flywatch::engine {

/// Writes the metrics of each event to `metrics`.
///
/// Phase gauges: the phases of the target's kind (net::phases_of_kind) are always set (0 when a result did not reach
/// them); a phase the kind lacks is exposed only once a result of the target had it (a tcp
/// target that reads a banner gets first_byte), so a tcp:// target never shows tls=0.
class MetricsSubscriber : public EventSubscriber {
 public:
  explicit MetricsSubscriber(metrics::Metrics& metrics) : metrics_(metrics) {}

  void on(const ProbeRecorded& e) override;
  void on(const TargetAdded& e) override { metrics_.target(e.target); }
  void on(const TargetChanged& e) override { metrics_.remove_target(e.target); }
  void on(const TargetRemoved& e) override { metrics_.remove_target(e.target); }
  void on(const AppRemoved& e) override { metrics_.fleet().remove_app(e.app); }
  void on(const JourneyRecorded& e) override;
  void on(const ReleaseObserved& e) override {
    if (e.current) metrics_.fleet().set_release(e.app, e.current->version, e.current->image);
  }
  void on(const JourneyRemoved& e) override { metrics_.journeys().remove_journey(e.journey); }
  void on(const SchedulerLateness& e) override { metrics_.scheduler_lateness().Observe(e.seconds); }
  void on(const FleetUpdated& e) override;
  void on(const MachineProbed& e) override;
  void on(const MachineProbesCleared& e) override { metrics_.fleet().clear_machine_probes(e.app); }
  void on(const AppWakeEnded& e) override;
  void on(const FlyApiAnswered& e) override { metrics_.fleet().count_api_request(e.app, e.code); }

 private:
  metrics::Metrics& metrics_;
};

}  // namespace flywatch::engine
