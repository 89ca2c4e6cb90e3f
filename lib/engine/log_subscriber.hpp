#pragma once
/// The log side of the event path: every line the scheduler, the probe recorder and the app
/// watches report (DESIGN §8) is written here, from events, with the same messages and keys.

#include "engine/events.hpp"
#include "log/logger.hpp"

namespace flywatch::engine {

/// Writes the log lines of each event to `log`.
class LogSubscriber : public EventSubscriber {
 public:
  explicit LogSubscriber(log::Logger& log) : log_(log) {}

  void on(const ProbeRecorded& e) override;
  void on(const TargetChanged& e) override { log_.info("target changed", {{"target", e.target}}); }
  void on(const TargetRemoved& e) override { log_.info("target removed", {{"target", e.target}}); }
  void on(const AppRemoved& e) override { log_.info("app removed", {{"app", e.app}}); }
  void on(const JourneyRecorded& e) override;
  void on(const ReleaseObserved& e) override;
  void on(const JourneyRemoved& e) override { log_.info("journey removed", {{"journey", e.journey}}); }
  void on(const ProbeRunsSkipped& e) override;
  void on(const FleetUpdated& e) override;
  void on(const AppWakeEnded& e) override;
  void on(const FlyApiRecovered& e) override { log_.info("fly api recovered", {{"app", e.app}}); }
  void on(const FlyApiFieldSkipped& e) override;
  void on(const FlyApiFailed& e) override;
  void on(const FlyWaitFailed& e) override;
  void on(const Notice& e) override { log_.write(e.level, e.msg, e.fields); }

 private:
  log::Logger& log_;
};

}  // namespace flywatch::engine
