#pragma once
/// The alert side of the event path: feeds AlertCenter from the bus. AlertCenter's own log
/// lines, metric and publisher (to the dispatcher) are its output, not a call back.

#include "engine/alert_center.hpp"
#include "engine/events.hpp"

namespace flywatch::engine {

/// Hands probe results and fleet evaluations to `alerts`.
class AlertSubscriber : public EventSubscriber {
 public:
  explicit AlertSubscriber(AlertCenter& alerts) : alerts_(alerts) {}

  void on(const ProbeRecorded& e) override { alerts_.observe_target(e); }
  void on(const JourneyRecorded& e) override { alerts_.observe_journey(e); }
  void on(const ReleaseObserved& e) override { alerts_.observe_release(e); }
  void on(const FleetUpdated& e) override {
    alerts_.observe_fleet(e.app, e.update, e.fleet, e.regions, e.verdicts, e.at);
  }

 private:
  AlertCenter& alerts_;
};

}  // namespace flywatch::engine
