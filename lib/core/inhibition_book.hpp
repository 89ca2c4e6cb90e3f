#pragma once
/// InhibitionBook (DESIGN §7 "one outage, one page"): which firing alerts are inhibited under
/// the inhibit rules (inhibit_rule.hpp), kept incrementally as a value. Fed with each `firing`
/// and `resolved` of the AlertBook, it says what changed: the alerts that became inhibited and
/// those released (no longer inhibited, still firing). The alert center acts on that: an
/// inhibited alert is not paged (nor held, nor repeated); a released one never paged is paged.
///
/// An alert is inhibited while some other firing alert matches the `source` of a rule whose
/// `targets` name it and shares the values of the rule's `equal` labels. As in Alertmanager, an
/// alert that matches both sides of a rule is not inhibited through that rule by one that also
/// does, so an alert never inhibits itself and two such alerts never hold each other back.
///
/// A source that resolves keeps inhibiting for its rules' `release_after` (the longest of
/// them), so the symptoms that clear after their cause are never paged; advance() ends that
/// when its time comes. An alert that reports a past event (alert_reports_past_event:
/// ColdStartSlow) inhibited once stays inhibited, explained by its source, until it resolves.
///
/// Cost: the alerts are indexed per rule by their `equal` values, so an event costs
/// O(rules × log alerts) plus the alerts whose inhibition it changes (a source firing or
/// resolving touches the matching targets once), never a pass over every firing alert. Pure:
/// no clock, no I/O.

#include <chrono>
#include <cstddef>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/alert.hpp"
#include "core/inhibit_rule.hpp"

namespace flywatch::core {

/// An alert that became inhibited.
struct InhibitedAlert {
  std::string fingerprint;
  AlertLabels labels;
  AlertLabels by;  ///< the labels of a source inhibiting it
};

/// An alert no longer inhibited that still fires.
struct ReleasedAlert {
  std::string fingerprint;
  AlertLabels labels;
};

/// What changed between two InhibitionBook::take_changes(), net: an alert inhibited and
/// released again in between shows in neither list, and an alert that resolved in neither.
/// Both lists in fingerprint order.
struct InhibitionChanges {
  std::vector<InhibitedAlert> inhibited;
  std::vector<ReleasedAlert> released;
  bool empty() const { return inhibited.empty() && released.empty(); }
};

class InhibitionBook {
 public:
  /// Without configure() there are no rules: nothing is inhibited, firing alerts are tracked.
  InhibitionBook() = default;

  /// Replaces the rules and the app map and judges every firing alert again (O(alerts × rules),
  /// once per reload); what that changed comes with the next take_changes().
  void configure(std::vector<InhibitRule> rules, InhibitAppMap apps);

  using time_point = std::chrono::system_clock::time_point;

  /// One event of the AlertBook: `firing` adds the alert (as a source it inhibits the firing
  /// targets it matches; as a target it may be inhibited itself), `resolved` removes it (the
  /// targets it inhibited that no other source does are released), or, for a source of rules
  /// with a `release_after`, leaves it inhibiting until `event.at` plus the longest of them (it
  /// fires again: it is simply firing again). `repeat` changes nothing, nor does a `firing` of
  /// an alert already firing or a `resolved` of one not firing.
  void observe(const AlertEvent& event);

  /// Ends what `release_after` kept for resolved sources whose time is at or before `now`
  /// (the targets they alone inhibited are released). O(log alerts) when nothing is due.
  void advance(time_point now);
  /// When advance() has something to do next; nullopt when nothing waits.
  std::optional<time_point> next_release() const;

  /// After a restart (the book does not outlive one): the firing past event with fingerprint
  /// `fp` (alert_reports_past_event), never paged, was quiet because a source had explained it.
  /// It is explained again, by the `source` labels of the first rule naming it in `targets`.
  /// Nothing when it is not tracked, not a past event, inhibited already, or no rule names it.
  void explain_restored(const std::string& fp);

  /// What changed since the last call (see InhibitionChanges), then forgets it.
  InhibitionChanges take_changes();

  /// True when the alert with fingerprint `fp` fires and is inhibited.
  bool inhibited(const std::string& fp) const;
  /// The labels of a firing source that inhibits the alert with fingerprint `fp`; nullopt when
  /// it is not inhibited. O(rules × log alerts).
  std::optional<AlertLabels> inhibitor(const std::string& fp) const;

  /// The number of firing alerts tracked (a resolved source still inhibiting is not firing).
  std::size_t size() const { return alerts_.size() - fading_.size(); }
  const std::vector<InhibitRule>& rules() const { return rules_; }

 private:
  /// Fingerprints split by whether the alert matches one side of the rule or both.
  struct Sides {
    std::set<std::string> one, two;
    bool empty() const { return one.empty() && two.empty(); }
  };
  /// The alerts of one rule sharing one tuple of `equal` values.
  struct Group {
    Sides sources;
    Sides free;  ///< targets not inhibited
    Sides held;  ///< targets inhibited (by this rule or another)
    bool empty() const { return sources.empty() && free.empty() && held.empty(); }
  };
  /// How one alert takes part in one rule.
  struct Role {
    std::size_t rule = 0;
    std::string key;  ///< its `equal` values, encoded
    bool source = false;
    bool target = false;
  };
  struct Entry {
    AlertLabels labels;
    std::vector<Role> roles;  ///< the rules it is a source or a target of
    bool inhibited = false;
    /// A resolved source still inhibiting: when it resolved, and until when (its key in
    /// fading_), resolved + the longest release_after of its rules.
    std::optional<time_point> resolved_at, fading_until;
    /// A past event whose last source is gone: the labels of that source.
    std::optional<AlertLabels> explained_by;
  };

  void add(const std::string& fp, const AlertLabels& labels);
  void remove(const std::string& fp);
  /// A resolved alert: removed, or kept inhibiting until `at` + release_after.
  void resolve(const std::string& fp, time_point at);
  /// Keeps `e`, resolved at `at`, inhibiting for the longest release_after of the rules it is a
  /// source of; removes it when that is 0.
  void fade(const std::string& fp, Entry& e, time_point at);
  /// Indexes the alert (not inhibited) without judging anything.
  Entry& index(const std::string& fp, const AlertLabels& labels);
  void set_inhibited(const std::string& fp, Entry& e, bool inhibited);
  /// The labels of what inhibits `e`: a source, or the one that explained it.
  std::optional<AlertLabels> inhibitor_of(const Entry& e) const;
  /// The fingerprint of a source inhibiting `e`, or null.
  const std::string* find_inhibitor(const Entry& e) const;
  Group& group(const Role& r) { return groups_[r.rule][r.key]; }
  const Group* find_group(const Role& r) const;

  std::vector<InhibitRule> rules_;
  InhibitAppMap apps_;
  std::map<std::string, Entry> alerts_;                ///< firing alerts by fingerprint
  std::vector<std::map<std::string, Group>> groups_;   ///< per rule, by key
  /// Alerts whose inhibition may have changed since take_changes(), with their state then.
  std::map<std::string, bool> touched_;
  /// Resolved sources still inhibiting, by the time they stop.
  std::set<std::pair<time_point, std::string>> fading_;
};

}  // namespace flywatch::core
