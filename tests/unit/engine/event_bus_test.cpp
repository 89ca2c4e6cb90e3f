// EventBus: every event reaches each subscriber, synchronously, in subscription order.
#include <doctest.h>

#include <string>
#include <vector>

#include "engine/events.hpp"

using namespace flywatch;

namespace {

/// Notes which subscriber saw which event.
struct Recorder : engine::EventSubscriber {
  Recorder(std::string n, std::vector<std::string>& seen) : name(std::move(n)), seen(seen) {}
  void on(const engine::TargetAdded& e) override { seen.push_back(name + ":added " + e.target); }
  void on(const engine::AppRemoved& e) override { seen.push_back(name + ":app " + e.app); }
  std::string name;
  std::vector<std::string>& seen;
};

}  // namespace

TEST_CASE("EventBus: subscribers get each event in subscription order") {
  std::vector<std::string> seen;
  Recorder first("metrics", seen), second("log", seen);
  engine::EventBus bus;
  bus.subscribe(first);
  bus.subscribe(second);
  const std::string target = "a", app = "medio";
  bus.publish(engine::TargetAdded{target});
  bus.publish(engine::AppRemoved{app});
  CHECK(seen == std::vector<std::string>{"metrics:added a", "log:added a", "metrics:app medio",
                                         "log:app medio"});
}

TEST_CASE("EventBus: an event a subscriber does not handle is ignored; unsubscribed gets nothing") {
  std::vector<std::string> seen;
  Recorder r("r", seen);
  engine::EventBus bus;
  bus.publish(engine::SchedulerLateness{0.5});  // no subscriber: nothing happens
  bus.subscribe(r);
  bus.publish(engine::SchedulerLateness{0.5});  // not handled by Recorder
  CHECK(seen.empty());
  bus.unsubscribe(r);
  const std::string target = "a";
  bus.publish(engine::TargetAdded{target});
  CHECK(seen.empty());
}
