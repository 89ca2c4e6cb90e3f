#pragma once
/// AlertBook (DESIGN §7): tracks the alerts that AlertConditions make and returns the
/// AlertEvents to write to the outbox: `firing` once a condition has held for its `for`,
/// `repeat` every repeat_interval, `resolved` once when it clears. It survives restarts through
/// snapshot() / restore() without re-sending and without zombies. Time is always an argument;
/// nothing here reads a clock or does I/O.

#include "core/alert.hpp"
#include "core/alert_rules.hpp"
#include "core/flapping.hpp"
#include "core/target_health.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace flywatch::core {

/// One alert that has been notified as firing and not resolved: what the outbox layer persists
/// so that a restart neither re-sends it as new nor forgets to resolve it.
struct AlertSnapshotEntry {
  Alert alert;  ///< labels, annotations, starts_at, fingerprint (ends_at unset)
  std::chrono::system_clock::time_point last_notified{};
};

/// The value-type tracker of active alerts. Feed it every condition at every evaluation
/// (observe), call tick() when next_deadline() is reached, write the returned events to the
/// outbox in order. Alerts are keyed by the fingerprint of their labels.
class AlertBook {
 public:
  explicit AlertBook(std::chrono::milliseconds repeat_interval = std::chrono::hours(4))
      : repeat_interval_(repeat_interval) {}

  /// Records that `c` holds (or not) at `now`, and returns the events that causes:
  ///  - active, held for `for_duration` since it became active, not yet sent: one `firing`
  ///    (starts_at = when it became active);
  ///  - active, sent, repeat_interval since the last notification: one `repeat`;
  ///  - inactive after a `firing` was sent: one `resolved` (ends_at = now); then forgotten;
  ///  - inactive before its `for` elapsed: nothing, forgotten.
  /// While the alert is suppressed (suppress()) nothing is sent but the state is tracked.
  /// Annotations are replaced by the latest ones. `now` must not go backwards per alert.
  std::vector<AlertEvent> observe(const AlertCondition& c,
                                  std::chrono::system_clock::time_point now);

  /// Observes several conditions at one time; the events in order of `conditions`.
  std::vector<AlertEvent> observe(const std::vector<AlertCondition>& conditions,
                                  std::chrono::system_clock::time_point now);

  /// Advances time without new observations (the last observed state is assumed to hold):
  /// fires pending alerts whose `for` has elapsed, sends due repeats, and resolves restored
  /// alerts not observed again within their grace period. Events in fingerprint order.
  std::vector<AlertEvent> tick(std::chrono::system_clock::time_point now);

  /// The earliest time at which tick() would return something (nullopt: nothing scheduled).
  /// O(alerts): see take_deadline_hint() for the per-observation path.
  std::optional<std::chrono::system_clock::time_point> next_deadline() const;

  /// The earliest deadline set by the changes since the last call (nullopt: none), then
  /// forgets it. A caller that keeps a timer at min(its deadline, this hint) and recomputes
  /// next_deadline() only when the timer fires never misses a deadline (it may wake early when
  /// an alert went away), at O(1) per observation instead of O(alerts).
  std::optional<std::chrono::system_clock::time_point> take_deadline_hint() {
    auto h = hint_;
    hint_.reset();
    return h;
  }

  /// Suppresses (or lifts the suppression of) notifications for the alert with `labels`, which
  /// need not exist yet. While suppressed nothing is sent for it (no firing, repeat or
  /// resolved) but its condition is still tracked. Lifting
  /// reconciles at `now`: sends `firing` if it is active past its `for` and was never sent,
  /// `resolved` if it was sent and has cleared meanwhile, and nothing otherwise.
  std::vector<AlertEvent> suppress(const AlertLabels& labels, bool suppressed,
                                   std::chrono::system_clock::time_point now);

  /// The target-level sequence for one evaluation of `target` (usually after each probe):
  /// observes TargetFlapping and TargetDown. While `detector.flapping()` and the TargetFlapping
  /// rule is enabled, TargetDown is suppressed (TargetFlapping fires instead); when flapping
  /// ends, TargetDown is reconciled (fires if still down, resolves if it was sent and is up,
  /// sends nothing if it is up and was never sent). CertExpiringSoon is observed separately.
  std::vector<AlertEvent> observe_target(const AlertRules& rules, std::string_view target,
                                         TargetState state, const FlappingDetector& detector,
                                         std::chrono::system_clock::time_point now,
                                         std::string_view reason = {});

  /// Firing alerts (sent and not resolved) as plain data for the outbox layer to persist, in
  /// fingerprint order. Alerts firing while suppressed and never sent are not included.
  std::vector<AlertSnapshotEntry> snapshot() const;

  /// Re-creates the alerts of a snapshot taken before a restart, at `now`, without sending
  /// anything: each is firing, its next `repeat` due at last_notified + repeat_interval once it
  /// is confirmed. Each must be observed again before `now + grace` (pass e.g. two poll/probe
  /// intervals): observed active confirms it, observed inactive resolves it (ends_at = that
  /// time); not observed by then, tick() resolves it (ends_at = the deadline). Entries whose
  /// labels already are in the book are skipped. Call once, before the first observe().
  void restore(const std::vector<AlertSnapshotEntry>& snapshot,
               std::chrono::system_clock::time_point now, std::chrono::milliseconds grace);

  /// Forgets every alert whose labels match `retired` (e.g. of a target or rule removed by a
  /// config reload, or whose labels changed), sending `resolved` (ends_at = now) for those sent
  /// as firing. Without this they would never be observed again and never resolve.
  template <class Pred>
  std::vector<AlertEvent> retire(Pred retired, std::chrono::system_clock::time_point now) {
    std::vector<AlertEvent> out;
    for (auto it = entries_.begin(); it != entries_.end();) {
      const AlertLabels& labels = it->second.labels;
      if (!retired(labels)) {
        ++it;
        continue;
      }
      if (it->second.sent) {
        it->second.inactive_since = now;
        out.push_back(event(AlertEventKind::resolved, it->first, it->second, now));
      }
      suppressed_.erase(it->first);
      it = entries_.erase(it);
      ++changes_;
    }
    return out;
  }

  /// True when an alert with `labels` has been sent as firing and is not resolved.
  bool firing(const AlertLabels& labels) const;
  /// Counts changes to what the book would do: it grows whenever an alert is added, removed,
  /// sent, repeated, confirmed, changes between active and inactive, or is (un)suppressed. Equal
  /// values mean next_deadline() and the set of firing alerts are unchanged (annotations may
  /// have been refreshed), so callers can skip work on the common "nothing changed" path.
  std::uint64_t changes() const { return changes_; }
  /// The firing (sent) alert with fingerprint `fp`, or nullopt.
  std::optional<AlertSnapshotEntry> sent_alert(const std::string& fp) const;
  /// True when notifications of the alert with fingerprint `fp` are suppressed (suppress()).
  bool suppressed(const std::string& fp) const { return suppressed_.contains(fp); }
  /// True when the alert with `labels` is tracked (pending, firing, or held by a suppression).
  bool tracked(const AlertLabels& labels) const;
  std::size_t size() const { return entries_.size(); }

  void set_repeat_interval(std::chrono::milliseconds interval) { repeat_interval_ = interval; }

 private:
  using time_point = std::chrono::system_clock::time_point;
  struct Entry {
    AlertLabels labels;
    AlertAnnotations annotations;
    std::chrono::milliseconds for_duration{0};
    bool active = false;
    time_point active_since{};
    time_point inactive_since{};
    bool sent = false;  ///< a `firing` went out and no `resolved` yet
    time_point starts_at{};
    time_point last_notified{};
    std::optional<time_point> unconfirmed_until;  ///< restored, not observed again yet
  };

  /// Lowers hint_ to `e`'s deadline, if it has one.
  void note_deadline(const std::string& fingerprint, const Entry& e);
  /// Decides what `e` needs at `now`; returns true when the entry is to be erased.
  bool step(const std::string& fingerprint, Entry& e, time_point now,
            std::vector<AlertEvent>& out);
  AlertEvent event(AlertEventKind kind, const std::string& fingerprint, const Entry& e,
                   time_point at) const;

  std::chrono::milliseconds repeat_interval_;
  std::map<std::string, Entry> entries_;  ///< by fingerprint
  std::set<std::string> suppressed_;      ///< fingerprints
  std::uint64_t changes_ = 0;
  std::optional<time_point> hint_;
};

}  // namespace flywatch::core
