#pragma once
/// What of the AlertBook's events reaches the sinks (DESIGN §7, issue 4), as a pure value type:
/// a maintenance window holds an alert's first page back until the window ends, repeats of an
/// alert already paged are skipped while a window covers it, and a resolution is sent exactly
/// when the alert's `firing` was. The gate remembers which alerts were paged (notified) and
/// which wait for their window (held); every decision says what it changed. Also here: the
/// other decisions of the alert center, i.e. which alerts a reload retires and when its timer
/// is due. Time is always an argument; nothing here reads a clock or does I/O.

#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/alert.hpp"
#include "core/alert_book.hpp"
#include "core/alert_rules.hpp"
#include "core/maintenance.hpp"

namespace flywatch::core {

/// What happens to one event of the book.
enum class GateAction {
  page,     ///< send it as `firing`: the alert's first page (also a held alert's repeat)
  repeat,   ///< send it: a `repeat` of an alert already paged
  resolve,  ///< send it: the `resolved` of an alert that was paged
  forget,   ///< a `resolved` of an alert never paged (held, or not at all): nothing to send
  hold,     ///< not paged yet and inside a maintenance window: paged when the window ends
  drop,     ///< a `repeat` of a paged alert inside a maintenance window: skipped
};
std::string_view to_string(GateAction a);

/// One decision of AlertGate::decide().
struct GateDecision {
  AlertEvent event;  ///< the event to send (kind `firing` for `page`); as it came otherwise
  GateAction action = GateAction::forget;
  std::string window;  ///< for hold and drop: the name of the window covering the alert
  /// True for page, repeat and resolve.
  bool send() const {
    return action == GateAction::page || action == GateAction::repeat ||
           action == GateAction::resolve;
  }
};

class AlertGate {
 public:
  using time_point = std::chrono::system_clock::time_point;

  /// Decides one event of the book at `now` under `windows`, and records what it changes:
  ///  - resolved: `resolve` when the alert was paged (no longer notified), else `forget` (no
  ///    longer held). A resolution is never held: that would keep a page open that has ended.
  ///  - firing or repeat while a window covers the alert's target or app: `hold` when it was
  ///    not paged (now held), `drop` when it was (sets unchanged).
  ///  - firing or repeat otherwise: `page` when it was not paged (the event becomes `firing`;
  ///    now notified, no longer held), `repeat` when it was.
  GateDecision decide(AlertEvent event, const MaintenanceSchedule& windows, time_point now);

  /// Pages the held alerts whose windows have ended by `now`: a `firing` event at `now` for each
  /// (in fingerprint order), which then counts as notified and no longer held. A held alert the
  /// book suppresses (TargetDown while its target flaps) waits for the book to reconcile it; one
  /// the book no longer has as firing (resolved or retired meanwhile) is forgotten.
  std::vector<AlertEvent> release(const AlertBook& book, const MaintenanceSchedule& windows,
                                  time_point now);

  /// When release() has something to do next: the earliest time a window holding an alert
  /// ends (`now` when one is due already). Nullopt when nothing is held that could be released.
  std::optional<time_point> next_release(const AlertBook& book,
                                         const MaintenanceSchedule& windows,
                                         time_point now) const;

  /// After a restart: the alert with fingerprint `fp` was paged (`notified`) or not. One not
  /// paged is held, and with `not_before` its first page waits until then as well as for any
  /// window: it was quiet for a reason the restart forgot (inhibited, or a past event its source
  /// explained), so it pages only if it still fires once the restart's grace has passed.
  void restore(const std::string& fp, bool notified,
               std::optional<time_point> not_before = std::nullopt);

  /// The alert with fingerprint `fp` no longer waits for a window: it is inhibited, so its first
  /// page waits for its source instead (and is decided again then). True when it was held.
  bool unhold(const std::string& fp) {
    not_before_.erase(fp);
    return held_.erase(fp) > 0;
  }

  /// True when the alert's `firing` was sent and it is not resolved.
  bool notified(const std::string& fp) const { return notified_.contains(fp); }
  /// True when the alert waits for a window to end before its first page.
  bool held(const std::string& fp) const { return held_.contains(fp); }

 private:
  std::set<std::string> notified_;  ///< fingerprints whose `firing` was sent, not resolved
  std::set<std::string> held_;      ///< firing in the book, `firing` not sent (a window)
  /// Held alerts restored after a restart, and the time before which they are not paged.
  std::map<std::string, time_point> not_before_;

  /// True when `fp` is restored and its not-before time is after `now`.
  bool waiting(const std::string& fp, time_point now) const;
};

/// True when a reload leaves nothing to observe the alert with `labels` again, or would spell
/// its labels differently: its rule is unknown or disabled, its severity changed, or its
/// `target` / `app` is no longer configured. Such an alert is retired (AlertBook::retire), or it
/// would stay firing for ever.
bool alert_outlived(const AlertLabels& labels, const AlertRules& rules,
                    const std::set<std::string, std::less<>>& targets,
                    const std::set<std::string, std::less<>>& apps,
                    const std::set<std::string, std::less<>>& journeys);

/// The deadline the alert timer waits for next. `full` (after a tick, a reload or a restore)
/// looks at the whole book (next_deadline(), O(alerts)); otherwise only the deadlines set since
/// the last call (take_deadline_hint()) can move the currently `armed` one earlier: an alert
/// that went away leaves an early wake-up, which then looks fully. `release` is
/// AlertGate::next_release(). Either way the book's hint is taken. Nullopt: nothing is due.
std::optional<std::chrono::system_clock::time_point> next_alert_deadline(
    AlertBook& book, std::optional<std::chrono::system_clock::time_point> armed, bool full,
    std::optional<std::chrono::system_clock::time_point> release);

}  // namespace flywatch::core
