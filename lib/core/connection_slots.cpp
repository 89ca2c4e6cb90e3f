#include "core/connection_slots.hpp"

#include <algorithm>

namespace flywatch::core {

std::size_t connection_cap_for_fd_limit(std::uint64_t fd_limit, std::size_t wanted) {
  constexpr std::size_t floor = 16;
  const auto quarter = static_cast<std::size_t>(std::min<std::uint64_t>(fd_limit / 4, wanted));
  return std::max(floor, quarter);
}

ConnectionSlots::ConnectionSlots(ConnectionLimits limits) : limits_(limits) {
  // A cap of 0 would shed or refuse everyone; one slot at least.
  limits_.max_connections = std::max<std::size_t>(1, limits_.max_connections);
}

std::chrono::milliseconds ConnectionSlots::timeout_of(ConnectionPhase p) const {
  switch (p) {
    case ConnectionPhase::idle: return limits_.idle_timeout;
    case ConnectionPhase::head: return limits_.head_timeout;
    case ConnectionPhase::body: return limits_.body_timeout;
    case ConnectionPhase::responding: return limits_.response_timeout;
    case ConnectionPhase::lingering: return limits_.linger_timeout;
  }
  return limits_.head_timeout;
}

ConnectionSlots::Admission ConnectionSlots::admit(Clock::time_point now) {
  Admission a;
  if (open_.size() >= limits_.max_connections) {
    // Every slot mid-response: those clients are owed an answer, the newcomer is not.
    if (shed_order_.empty()) return a;
    const Id victim = shed_order_.begin()->second;
    release(victim);
    a.shed = victim;
  }
  a.admitted = true;
  a.id = next_id_++;
  open_.emplace(a.id, Slot{ConnectionPhase::head, now});
  shed_order_.emplace(now, a.id);
  return a;
}

bool ConnectionSlots::enter(Id id, ConnectionPhase phase, Clock::time_point now) {
  const auto it = open_.find(id);
  if (it == open_.end()) return false;
  auto& slot = it->second;
  if (sheddable(slot.phase)) shed_order_.erase({slot.since, id});
  slot.phase = phase;
  slot.since = now;
  if (sheddable(phase)) shed_order_.emplace(now, id);
  return true;
}

std::optional<ConnectionSlots::Clock::time_point> ConnectionSlots::deadline(Id id) const {
  const auto it = open_.find(id);
  if (it == open_.end()) return std::nullopt;
  return it->second.since + timeout_of(it->second.phase);
}

std::optional<ConnectionPhase> ConnectionSlots::phase(Id id) const {
  const auto it = open_.find(id);
  if (it == open_.end()) return std::nullopt;
  return it->second.phase;
}

void ConnectionSlots::release(Id id) {
  const auto it = open_.find(id);
  if (it == open_.end()) return;
  if (sheddable(it->second.phase)) shed_order_.erase({it->second.since, id});
  open_.erase(it);
}

void ConnectionSlots::clear() {
  open_.clear();
  shed_order_.clear();
}

}  // namespace flywatch::core
