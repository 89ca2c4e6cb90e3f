#pragma once
/// The sleep policy of a Fly app (DESIGN §5, `when_asleep`) as a value type: when an app whose
/// machines all sleep gets a probe of its public URL, when a wake-up is due, and whether the
/// latest wake-up failed. Time is an argument; no clock, no I/O.

#include <chrono>
#include <optional>

namespace flywatch::core {

/// config::WhenAsleep, as the policy sees it.
enum class AsleepAction {
  skip,        ///< send nothing while every machine sleeps
  probe,       ///< probe the public URL at the target's interval (wakes the app)
  wake_every,  ///< wake the app on purpose every `wake_every` and time the wake-up
};

struct SleepSettings {
  AsleepAction action = AsleepAction::skip;
  std::chrono::nanoseconds probe_interval{0};           ///< the target's interval
  std::optional<std::chrono::milliseconds> wake_every;  ///< set for wake_every
  std::chrono::milliseconds cold_start_slo{10'000};
};

/// A probe of the app's public URL to send now.
struct AppProbeOrder {
  bool wake = false;  ///< a wake_every wake-up: its result is timed and judged
  /// Added to the probe's timeout: a wake-up includes a whole cold start, so it gets the SLO.
  std::chrono::milliseconds extra_timeout{0};
};

/// One app's sleep policy.
class SleepPolicy {
 public:
  using time_point = std::chrono::steady_clock::time_point;

  /// `start` counts as the last wake (an app found asleep is first woken `wake_every` later).
  explicit SleepPolicy(time_point start) : last_wake_(start) {}

  /// After each good list at `now`: `asleep` (AppFleet's) and whether the app names a target.
  /// Returns the probe to send, if any, and marks it in flight. wake_every counts time asleep,
  /// not time since the last wake: while awake the wake clock restarts, so an app that users
  /// keep awake is not woken as soon as it sleeps. Under `probe` the public URL is probed when
  /// it never answered yet or its last probe began an interval or more before `now`. Nothing is
  /// sent while a probe is in flight, without a target, or under `skip`.
  std::optional<AppProbeOrder> on_list(bool asleep, bool has_target, const SleepSettings& settings,
                                       time_point now);

  /// The probe in flight answered: `wake` as ordered, `success` its verdict. A wake-up's
  /// result sets wake_failed().
  void on_result(bool wake, bool success);
  /// A machine is healthy: whatever the latest wake-up said, the app serves.
  void machine_healthy() { wake_failed_ = false; }
  /// The probe in flight will not answer (the target changed); the last result still counts.
  void drop_in_flight() { in_flight_ = false; }

  /// The latest wake_every probe failed and no machine has been healthy since.
  bool wake_failed() const { return wake_failed_; }

 private:
  bool in_flight_ = false;
  bool answered_ = false;  ///< a probe ever answered
  time_point last_start_{};
  time_point last_wake_;
  bool wake_failed_ = false;
};

}  // namespace flywatch::core
