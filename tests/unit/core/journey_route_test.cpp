#include "core/journey_route.hpp"

#include <doctest.h>

namespace fc = flywatch::core;
using Kind = fc::JourneyRoute::Kind;
using S = fc::MachineState;

TEST_CASE("journey route: healthy first, then started, then unhealthy, lowest id among equals") {
  CHECK(fc::route_journey({{"b", S::healthy}, {"a", S::started}, {"c", S::healthy}}, false,
                          fc::AsleepAction::skip)
            .machine == "b");
  const auto started = fc::route_journey({{"b", S::unhealthy}, {"d", S::started}, {"c", S::started}},
                                         false, fc::AsleepAction::skip);
  CHECK(started.kind == Kind::machine);
  CHECK(started.machine == "c");
  CHECK(fc::route_journey({{"b", S::unhealthy}, {"a", S::stopped}}, false, fc::AsleepAction::skip)
            .machine == "b");
}

TEST_CASE("journey route: an asleep app is skipped unless its policy probes anyway") {
  const std::map<std::string, S> asleep{{"a", S::stopped}, {"b", S::suspended}};
  const auto skip = fc::route_journey(asleep, true, fc::AsleepAction::skip);
  CHECK(skip.kind == Kind::skip);
  CHECK(skip.why == "app asleep");
  CHECK(fc::route_journey(asleep, true, fc::AsleepAction::wake_every).kind == Kind::skip);
  const auto probe = fc::route_journey(asleep, true, fc::AsleepAction::probe);
  CHECK(probe.kind == Kind::public_url);
  CHECK(probe.machine.empty());
}

TEST_CASE("journey route: machines on their way, or none known, skip the run") {
  const auto starting =
      fc::route_journey({{"a", S::starting}, {"b", S::stopped}}, false, fc::AsleepAction::probe);
  CHECK(starting.kind == Kind::skip);
  CHECK(starting.why == "no started machine");
  const auto none = fc::route_journey({}, false, fc::AsleepAction::probe);
  CHECK(none.kind == Kind::skip);
  CHECK(none.why == "no machines known yet");
}
