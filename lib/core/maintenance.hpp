#pragma once
/// Maintenance windows (issue 4): times when notifications are held back. Probing goes on; an
/// alert still firing when its window ends is sent then. Pure: time is an argument.

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace flywatch::core {

/// One window. Either one-off (`start` .. `end`) or weekly (on `weekdays`, from `minute_of_day`
/// for `duration`, in UTC). Scope: everything when both lists are empty, else the named targets
/// and apps only.
struct MaintenanceWindow {
  std::string name;
  // One-off
  std::optional<std::chrono::system_clock::time_point> start;
  std::optional<std::chrono::system_clock::time_point> end;
  // Weekly: bit d set for weekday d (0 = Sunday … 6 = Saturday), UTC.
  unsigned weekdays = 0;
  int minute_of_day = 0;  ///< 0..1439, UTC
  std::chrono::minutes duration{0};
  // Scope
  std::vector<std::string> targets;
  std::vector<std::string> apps;

  bool weekly() const { return weekdays != 0; }
  /// True when the window covers `t` (ignoring scope). A weekly window that starts late on one
  /// day may run past midnight into the next.
  bool covers(std::chrono::system_clock::time_point t) const { return end_of_cover(t).has_value(); }
  /// When the occurrence of the window that covers `t` ends, or nullopt when none covers `t`.
  /// Of overlapping weekly occurrences (duration over a day), the one ending last.
  std::optional<std::chrono::system_clock::time_point> end_of_cover(
      std::chrono::system_clock::time_point t) const;
  /// True when the window applies to an alert labelled with `target` or `app` (either may be
  /// empty). A global window applies to every alert.
  bool applies_to(const std::string& target, const std::string& app) const;
};

/// The windows in force, as one value.
class MaintenanceSchedule {
 public:
  MaintenanceSchedule() = default;
  explicit MaintenanceSchedule(std::vector<MaintenanceWindow> windows) : windows_(std::move(windows)) {}

  /// The name of a window that silences an alert about `target`/`app` at `t`, or nullopt.
  std::optional<std::string> silenced_by(std::chrono::system_clock::time_point t,
                                         const std::string& target, const std::string& app) const;

  /// When notifications about `target`/`app` silenced at `t` may be sent again: the latest end
  /// of the windows applying and covering `t` (another window may start right then: ask again
  /// at that time). Nullopt when nothing silences them at `t`.
  std::optional<std::chrono::system_clock::time_point> silenced_until(
      std::chrono::system_clock::time_point t, const std::string& target,
      const std::string& app) const;

  const std::vector<MaintenanceWindow>& windows() const { return windows_; }

 private:
  std::vector<MaintenanceWindow> windows_;
};

}  // namespace flywatch::core
