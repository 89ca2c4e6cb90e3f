#pragma once
/// Flapping detection for one target (DESIGN §7 `TargetFlapping`), Icinga 2's method, as a value
/// type. No I/O, no clock: it only sees the order of results.

#include <cstdint>
#include <optional>

namespace flywatch::core {

/// Percent thresholds with hysteresis: flapping starts when the value rises above `high_percent`
/// and ends when it falls to `low_percent` or below (Icinga 2's `flapping_threshold_high` /
/// `flapping_threshold_low`, same defaults).
struct FlappingThresholds {
  double high_percent = 30.0;
  double low_percent = 25.0;
};

/// Keeps, for the last 20 results of a target, whether each one changed the ok/fail state
/// against the result before it, and weighs newer changes more.
///
/// The method is Icinga 2's (Icinga/icinga2 lib/icinga/checkable-flapping.cpp @ 966585f2,
/// Checkable::UpdateFlappingStatus): a ring of 20 state-change flags; the flag at age position i
/// (0 = oldest, 19 = newest) weighs 0.8 + 0.02·i (0.8 … 1.18); value = 100 · Σ weights of the set
/// flags / 20. While not flapping it starts when value > high; while flapping it stays while
/// value > low. (Icinga's docs round the newest weight to 1.15 and the Nagios method keeps 21
/// results; the code above is what is implemented.) Slots not yet filled count as no change, so a
/// new target needs real changes before it can flap.
class FlappingDetector {
 public:
  static constexpr int window = 20;

  explicit FlappingDetector(FlappingThresholds thresholds = {}) : thresholds_(thresholds) {}

  /// Records one raw probe result (before failure/success thresholds). Returns true when this
  /// result changed flapping() (started or ended flapping), false otherwise. The first result
  /// ever is not a change.
  bool observe(bool success);

  /// Changes the thresholds (on reload) without losing the history. The new thresholds apply
  /// from the next observe().
  void set_thresholds(FlappingThresholds thresholds) { thresholds_ = thresholds; }

  bool flapping() const { return flapping_; }
  /// The current weighted share of state changes, 0–99 (the value compared to the thresholds).
  double percent() const;
  /// Results recorded so far, capped at `window`.
  int observed() const { return observed_; }

 private:
  FlappingThresholds thresholds_;
  std::uint32_t changes_ = 0;  ///< bit (next_ + i) % window: flag of age position i
  int next_ = 0;               ///< slot of the oldest flag, overwritten by the next result
  int observed_ = 0;
  std::optional<bool> last_;
  bool flapping_ = false;
};

}  // namespace flywatch::core
