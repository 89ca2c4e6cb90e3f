#include "core/journey_route.hpp"

namespace flywatch::core {

JourneyRoute route_journey(const std::map<std::string, MachineState>& machines, bool asleep,
                           AsleepAction action) {
  const std::string* started = nullptr;
  const std::string* unhealthy = nullptr;
  // std::map iterates in id order: the first match is the lowest id.
  for (const auto& [id, state] : machines) {
    if (state == MachineState::healthy) return {JourneyRoute::Kind::machine, id, {}};
    if (state == MachineState::started && started == nullptr) started = &id;
    if (state == MachineState::unhealthy && unhealthy == nullptr) unhealthy = &id;
  }
  if (started) return {JourneyRoute::Kind::machine, *started, {}};
  // An unhealthy machine still serves users: the journey shows what they get.
  if (unhealthy) return {JourneyRoute::Kind::machine, *unhealthy, {}};
  if (asleep) {
    if (action == AsleepAction::probe) return {JourneyRoute::Kind::public_url, {}, {}};
    return {JourneyRoute::Kind::skip, {}, "app asleep"};
  }
  if (machines.empty()) return {JourneyRoute::Kind::skip, {}, "no machines known yet"};
  return {JourneyRoute::Kind::skip, {}, "no started machine"};
}

}  // namespace flywatch::core
