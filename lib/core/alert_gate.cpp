#include "core/alert_gate.hpp"

#include <algorithm>
#include <utility>

namespace flywatch::core {

namespace {

using time_point = std::chrono::system_clock::time_point;

const std::string& label(const AlertLabels& labels, const std::string& name) {
  static const std::string none;
  auto it = labels.find(name);
  return it == labels.end() ? none : it->second;
}

std::optional<std::string> silenced_by(const MaintenanceSchedule& windows,
                                       const AlertLabels& labels, time_point now) {
  if (windows.windows().empty()) return std::nullopt;  // the usual case, without lookups
  return windows.silenced_by(now, label(labels, "target"), label(labels, "app"));
}

std::optional<time_point> earlier(std::optional<time_point> a, std::optional<time_point> b) {
  if (!a) return b;
  if (!b) return a;
  return std::min(*a, *b);
}

}  // namespace

std::string_view to_string(GateAction a) {
  switch (a) {
    case GateAction::page: return "page";
    case GateAction::repeat: return "repeat";
    case GateAction::resolve: return "resolve";
    case GateAction::forget: return "forget";
    case GateAction::hold: return "hold";
    case GateAction::drop: return "drop";
  }
  return "forget";
}

GateDecision AlertGate::decide(AlertEvent event, const MaintenanceSchedule& windows,
                               time_point now) {
  GateDecision d;
  const std::string fp = event.alert.fingerprint;
  if (event.kind == AlertEventKind::resolved) {
    // Resolutions are never held: holding one would leave a page open that has ended.
    held_.erase(fp);
    not_before_.erase(fp);
    d.action = notified_.erase(fp) > 0 ? GateAction::resolve : GateAction::forget;
  } else if (auto window = silenced_by(windows, event.alert.labels, now)) {
    d.window = std::move(*window);
    if (notified_.contains(fp)) {
      d.action = GateAction::drop;
    } else {
      held_.insert(fp);
      d.action = GateAction::hold;
    }
  } else if (!notified_.contains(fp) && waiting(fp, now)) {
    d.action = GateAction::hold;  // restored unpaged: not before the restart's grace has passed
  } else if (!notified_.contains(fp)) {
    event.kind = AlertEventKind::firing;  // a repeat of a held alert is its first page
    notified_.insert(fp);
    held_.erase(fp);
    not_before_.erase(fp);
    d.action = GateAction::page;
  } else {
    d.action = GateAction::repeat;
  }
  d.event = std::move(event);
  return d;
}

std::vector<AlertEvent> AlertGate::release(const AlertBook& book,
                                           const MaintenanceSchedule& windows, time_point now) {
  std::vector<AlertEvent> out;
  for (auto it = held_.begin(); it != held_.end();) {
    const std::string& fp = *it;
    // A suppressed alert (TargetDown while its target flaps) waits for the book to reconcile it.
    if (book.suppressed(fp)) {
      ++it;
      continue;
    }
    auto entry = book.sent_alert(fp);
    if (!entry) {  // resolved or retired meanwhile
      not_before_.erase(fp);
      it = held_.erase(it);
      continue;
    }
    if (waiting(fp, now) || silenced_by(windows, entry->alert.labels, now)) {
      ++it;
      continue;
    }
    not_before_.erase(fp);
    notified_.insert(fp);
    out.push_back(AlertEvent{AlertEventKind::firing, std::move(entry->alert), now});
    it = held_.erase(it);
  }
  return out;
}

std::optional<time_point> AlertGate::next_release(const AlertBook& book,
                                                  const MaintenanceSchedule& windows,
                                                  time_point now) const {
  std::optional<time_point> best;
  for (const auto& fp : held_) {
    if (book.suppressed(fp)) continue;
    const auto entry = book.sent_alert(fp);
    if (!entry) continue;
    const auto& labels = entry->alert.labels;
    auto until = windows.silenced_until(now, label(labels, "target"), label(labels, "app"))
                     .value_or(now);
    if (auto nb = not_before_.find(fp); nb != not_before_.end()) until = std::max(until, nb->second);
    best = earlier(best, until);
  }
  return best;
}

void AlertGate::restore(const std::string& fp, bool notified,
                        std::optional<time_point> not_before) {
  (notified ? notified_ : held_).insert(fp);
  if (!notified && not_before) not_before_[fp] = *not_before;
}

bool AlertGate::waiting(const std::string& fp, time_point now) const {
  const auto it = not_before_.find(fp);
  return it != not_before_.end() && it->second > now;
}

bool alert_outlived(const AlertLabels& labels, const AlertRules& rules,
                    const std::set<std::string, std::less<>>& targets,
                    const std::set<std::string, std::less<>>& apps,
                    const std::set<std::string, std::less<>>& journeys) {
  const AlertRule* rule = rules.rule(label(labels, "alertname"));
  if (rule == nullptr || !rule->enabled) return true;
  if (label(labels, "severity") != to_string(rule->severity)) return true;
  if (labels.contains("target") && !targets.contains(label(labels, "target"))) return true;
  if (labels.contains("journey") && !journeys.contains(label(labels, "journey"))) return true;
  return labels.contains("app") && !apps.contains(label(labels, "app"));
}

std::optional<time_point> next_alert_deadline(AlertBook& book, std::optional<time_point> armed,
                                              bool full, std::optional<time_point> release) {
  std::optional<time_point> due;
  if (full) {
    due = book.next_deadline();
    (void)book.take_deadline_hint();
  } else {
    due = earlier(armed, book.take_deadline_hint());
  }
  return earlier(due, release);
}

}  // namespace flywatch::core
