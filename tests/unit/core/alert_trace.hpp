#pragma once
// What the alert tests read events through: a fixed t0, seconds after it, and an event trace.

#include <chrono>
#include <string>
#include <vector>

#include "core/alert.hpp"

namespace flywatch::test {

inline const std::chrono::system_clock::time_point alert_t0 =
    std::chrono::sys_days{std::chrono::year{2026} / 11 / 27};

/// Whole seconds from alert_t0 to `t`.
inline long secs(std::chrono::system_clock::time_point t) {
  return static_cast<long>(std::chrono::duration_cast<std::chrono::seconds>(t - alert_t0).count());
}

/// "kind@seconds" for each event, space separated; resolved adds "/ends@seconds".
inline std::string trace(const std::vector<core::AlertEvent>& events) {
  std::string out;
  for (const auto& e : events) {
    if (!out.empty()) out += ' ';
    out += std::string(core::to_string(e.kind)) + "@" + std::to_string(secs(e.at));
    if (e.alert.ends_at) out += "/ends@" + std::to_string(secs(*e.alert.ends_at));
  }
  return out;
}

inline void append(std::vector<core::AlertEvent>& all, std::vector<core::AlertEvent> more) {
  all.insert(all.end(), more.begin(), more.end());
}

}  // namespace flywatch::test
