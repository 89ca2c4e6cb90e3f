#include "core/alert_book.hpp"

#include <iterator>
#include <utility>

namespace flywatch::core {

using time_point = std::chrono::system_clock::time_point;

AlertEvent AlertBook::event(AlertEventKind kind, const std::string& fingerprint, const Entry& e,
                            time_point at) const {
  AlertEvent ev;
  ev.kind = kind;
  ev.at = at;
  ev.alert.labels = e.labels;
  ev.alert.annotations = e.annotations;
  ev.alert.starts_at = e.starts_at;
  ev.alert.fingerprint = fingerprint;
  if (kind == AlertEventKind::resolved) ev.alert.ends_at = e.inactive_since;
  return ev;
}

bool AlertBook::step(const std::string& fingerprint, Entry& e, time_point now,
                     std::vector<AlertEvent>& out) {
  if (e.unconfirmed_until) {
    if (now < *e.unconfirmed_until) return false;
    // Not seen again within the grace period: its target or machine is gone, or the
    // evaluation that produced it no longer does. Resolving beats a zombie.
    e.active = false;
    e.inactive_since = *e.unconfirmed_until;
    e.unconfirmed_until.reset();
    ++changes_;
  }
  const bool quiet = suppressed_.contains(fingerprint);
  if (!e.active) {
    if (!e.sent) {
      ++changes_;
      return true;
    }
    if (quiet) return false;  // held: reconciled when the suppression is lifted
    out.push_back(event(AlertEventKind::resolved, fingerprint, e, now));
    ++changes_;
    return true;
  }
  if (quiet) return false;
  if (!e.sent) {
    if (now - e.active_since >= e.for_duration) {
      e.sent = true;
      e.starts_at = e.active_since;
      e.last_notified = now;
      out.push_back(event(AlertEventKind::firing, fingerprint, e, now));
      ++changes_;
    }
    return false;
  }
  if (now - e.last_notified >= repeat_interval_) {
    e.last_notified = now;
    out.push_back(event(AlertEventKind::repeat, fingerprint, e, now));
    ++changes_;
  }
  return false;
}

std::vector<AlertEvent> AlertBook::observe(const AlertCondition& c, time_point now) {
  std::vector<AlertEvent> out;
  const std::string fp = alert_fingerprint(c.labels);
  auto it = entries_.find(fp);
  if (it == entries_.end()) {
    if (!c.active) return out;
    Entry e;
    e.labels = c.labels;
    e.active = true;
    e.active_since = now;
    it = entries_.emplace(fp, std::move(e)).first;
    ++changes_;
  }
  Entry& e = it->second;
  e.annotations = c.annotations;
  if (e.for_duration != c.for_duration) ++changes_;  // a reload moved the deadline
  e.for_duration = c.for_duration;
  if (e.unconfirmed_until) {
    // A restored alert seen again: still true means it has been firing all along.
    ++changes_;
    e.unconfirmed_until.reset();
    e.active = c.active;
    if (c.active) e.active_since = e.starts_at;
    else e.inactive_since = now;
  } else if (c.active != e.active) {
    ++changes_;
    e.active = c.active;
    (c.active ? e.active_since : e.inactive_since) = now;
  }
  if (step(fp, e, now, out)) {
    entries_.erase(it);
  } else {
    note_deadline(fp, e);
  }
  return out;
}

std::vector<AlertEvent> AlertBook::observe(const std::vector<AlertCondition>& conditions,
                                           time_point now) {
  std::vector<AlertEvent> out;
  for (const auto& c : conditions) {
    auto events = observe(c, now);
    out.insert(out.end(), std::make_move_iterator(events.begin()),
               std::make_move_iterator(events.end()));
  }
  return out;
}

std::vector<AlertEvent> AlertBook::tick(time_point now) {
  std::vector<AlertEvent> out;
  for (auto it = entries_.begin(); it != entries_.end();) {
    if (step(it->first, it->second, now, out)) it = entries_.erase(it);
    else ++it;
  }
  return out;
}

void AlertBook::note_deadline(const std::string& fp, const Entry& e) {
  std::optional<time_point> d;
  if (e.unconfirmed_until) {
    d = *e.unconfirmed_until;
  } else if (!suppressed_.contains(fp) && e.active) {
    d = e.sent ? e.last_notified + repeat_interval_ : e.active_since + e.for_duration;
  }
  if (d && (!hint_ || *d < *hint_)) hint_ = d;
}

std::optional<time_point> AlertBook::next_deadline() const {
  std::optional<time_point> best;
  const auto consider = [&best](time_point t) {
    if (!best || t < *best) best = t;
  };
  for (const auto& [fp, e] : entries_) {
    if (e.unconfirmed_until) {
      consider(*e.unconfirmed_until);
      continue;
    }
    if (suppressed_.contains(fp) || !e.active) continue;
    if (!e.sent) consider(e.active_since + e.for_duration);
    else consider(e.last_notified + repeat_interval_);
  }
  return best;
}

std::vector<AlertEvent> AlertBook::suppress(const AlertLabels& labels, bool suppressed,
                                            time_point now) {
  std::vector<AlertEvent> out;
  const std::string fp = alert_fingerprint(labels);
  if (suppressed) {
    if (suppressed_.insert(fp).second) ++changes_;
    return out;
  }
  if (suppressed_.erase(fp) == 0) return out;
  ++changes_;
  if (auto it = entries_.find(fp); it != entries_.end()) {
    if (step(fp, it->second, now, out)) {
      entries_.erase(it);
    } else {
      note_deadline(fp, it->second);
    }
  }
  return out;
}

std::vector<AlertEvent> AlertBook::observe_target(const AlertRules& rules,
                                                  std::string_view target, TargetState state,
                                                  const FlappingDetector& detector,
                                                  time_point now, std::string_view reason) {
  const AlertCondition down = rules.target_down_condition(target, state, reason);
  const AlertCondition flap = rules.target_flapping_condition(target, detector);
  std::vector<AlertEvent> out;
  const auto append = [&out](std::vector<AlertEvent> events) {
    out.insert(out.end(), std::make_move_iterator(events.begin()),
               std::make_move_iterator(events.end()));
  };
  // Without a TargetFlapping alert, holding TargetDown back would leave a flapping target
  // silent, so suppression follows the flapping alert's rule being enabled.
  if (flap.active) {
    append(suppress(down.labels, true, now));
    append(observe(down, now));
    append(observe(flap, now));
  } else {
    append(observe(flap, now));
    // Record the current state while still held, then lift: reconciliation sends at most one
    // event, reflecting the state now.
    append(observe(down, now));
    append(suppress(down.labels, false, now));
  }
  return out;
}

std::vector<AlertSnapshotEntry> AlertBook::snapshot() const {
  std::vector<AlertSnapshotEntry> out;
  for (const auto& [fp, e] : entries_) {
    if (!e.sent) continue;
    AlertSnapshotEntry s;
    s.alert.labels = e.labels;
    s.alert.annotations = e.annotations;
    s.alert.starts_at = e.starts_at;
    s.alert.fingerprint = fp;
    s.last_notified = e.last_notified;
    out.push_back(std::move(s));
  }
  return out;
}

void AlertBook::restore(const std::vector<AlertSnapshotEntry>& snapshot, time_point now,
                        std::chrono::milliseconds grace) {
  for (const auto& s : snapshot) {
    // The fingerprint is recomputed: a persisted one is not trusted to match the labels.
    const std::string fp = alert_fingerprint(s.alert.labels);
    if (entries_.contains(fp)) continue;
    Entry e;
    e.labels = s.alert.labels;
    e.annotations = s.alert.annotations;
    e.active = true;
    e.active_since = s.alert.starts_at;
    e.sent = true;
    e.starts_at = s.alert.starts_at;
    e.last_notified = s.last_notified;
    e.unconfirmed_until = now + grace;
    note_deadline(fp, e);
    entries_.emplace(fp, std::move(e));
    ++changes_;
  }
}

std::optional<AlertSnapshotEntry> AlertBook::sent_alert(const std::string& fp) const {
  const auto it = entries_.find(fp);
  if (it == entries_.end() || !it->second.sent) return std::nullopt;
  AlertSnapshotEntry s;
  s.alert.labels = it->second.labels;
  s.alert.annotations = it->second.annotations;
  s.alert.starts_at = it->second.starts_at;
  s.alert.fingerprint = fp;
  s.last_notified = it->second.last_notified;
  return s;
}

bool AlertBook::firing(const AlertLabels& labels) const {
  const auto it = entries_.find(alert_fingerprint(labels));
  return it != entries_.end() && it->second.sent;
}

bool AlertBook::tracked(const AlertLabels& labels) const {
  return entries_.contains(alert_fingerprint(labels));
}

}  // namespace flywatch::core
