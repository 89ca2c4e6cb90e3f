#pragma once
// Machine snapshots built in code for the lifecycle tests, on a fake clock counting from t0.

#include <doctest.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/machine_lifecycle.hpp"

namespace fc = flywatch::core;
using fc::MachineState;
using fc::OwnProbe;
using namespace std::chrono_literals;
using Tp = std::chrono::system_clock::time_point;

namespace {
// The fake clock: every test counts from t0.
const Tp t0 = Tp{} + 1'800'000'000s;

inline std::int64_t epoch_ms(Tp t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

inline fc::MachineEvent ev(std::string type, std::string status, Tp at) {
  fc::MachineEvent e;
  e.type = std::move(type);
  e.status = std::move(status);
  e.source = "flyd";
  e.timestamp_ms = epoch_ms(at);
  return e;
}

inline fc::MachineSnapshot snap(std::string state, std::vector<fc::MachineEvent> events_oldest_first = {},
                         std::vector<std::string> check_statuses = {}, std::string id = "m1") {
  fc::MachineSnapshot m;
  m.id = std::move(id);
  m.state = std::move(state);
  m.process_group = "app";
  for (auto it = events_oldest_first.rbegin(); it != events_oldest_first.rend(); ++it)
    m.events.push_back(*it);  // the API lists newest first
  int n = 0;
  for (auto& s : check_statuses) {
    fc::MachineCheck c;
    c.name = "check" + std::to_string(n++);
    c.status = s;
    m.checks.push_back(c);
  }
  return m;
}

inline fc::LifecycleLimits limits(std::chrono::milliseconds slo = 30s) {
  fc::LifecycleLimits l;
  l.cold_start_slo = slo;
  return l;
}

// A started machine whose config declares `configured` checks and which lists `statuses`
// (each updated at `updated`, when given).
inline fc::MachineSnapshot with_checks(fc::MachineSnapshot m, int configured,
                                std::optional<Tp> updated = std::nullopt) {
  m.configured_checks = configured;
  for (auto& c : m.checks) {
    if (updated) c.updated_at_ms = epoch_ms(*updated);
  }
  return m;
}
}  // namespace
