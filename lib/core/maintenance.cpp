#include "core/maintenance.hpp"

#include <algorithm>

namespace flywatch::core {

namespace {

using std::chrono::days;
using std::chrono::minutes;
using std::chrono::system_clock;

bool listed(const std::vector<std::string>& names, const std::string& name) {
  return !name.empty() && std::find(names.begin(), names.end(), name) != names.end();
}

}  // namespace

std::optional<system_clock::time_point> MaintenanceWindow::end_of_cover(
    system_clock::time_point t) const {
  if (!weekly()) {
    if (start && end && *start <= t && t < *end) return *end;
    return std::nullopt;
  }
  if (duration <= minutes(0)) return std::nullopt;
  std::optional<system_clock::time_point> until;
  const auto day = std::chrono::floor<days>(t);
  // A window opened on one of the last days may still be running: look back as many days as
  // the duration spans (at most a week is meaningful).
  const auto span_days = std::min<long>(7, duration.count() / (24 * 60) + 1);
  for (long back = 0; back <= span_days; ++back) {
    const auto d = day - days(back);
    const unsigned weekday = std::chrono::weekday(std::chrono::sys_days(d)).c_encoding();
    if ((weekdays & (1u << weekday)) == 0) continue;
    const auto open = d + minutes(minute_of_day);
    if (open <= t && t < open + duration) {
      const system_clock::time_point close = open + duration;
      if (!until || close > *until) until = close;
    }
  }
  return until;
}

bool MaintenanceWindow::applies_to(const std::string& target, const std::string& app) const {
  if (targets.empty() && apps.empty()) return true;
  return listed(targets, target) || listed(apps, app);
}

std::optional<std::string> MaintenanceSchedule::silenced_by(system_clock::time_point t,
                                                            const std::string& target,
                                                            const std::string& app) const {
  for (const auto& w : windows_) {
    if (w.applies_to(target, app) && w.covers(t)) return w.name;
  }
  return std::nullopt;
}

std::optional<system_clock::time_point> MaintenanceSchedule::silenced_until(
    system_clock::time_point t, const std::string& target, const std::string& app) const {
  std::optional<system_clock::time_point> until;
  for (const auto& w : windows_) {
    if (!w.applies_to(target, app)) continue;
    if (auto end = w.end_of_cover(t); end && (!until || *end > *until)) until = end;
  }
  return until;
}

}  // namespace flywatch::core
