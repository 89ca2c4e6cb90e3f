#include "core/alert_rules.hpp"

#include <algorithm>
#include <iterator>
#include <utility>

namespace flywatch::core {

namespace {

using time_point = std::chrono::system_clock::time_point;

std::string str(std::string_view s) { return std::string(s); }

AlertCondition make(const AlertRule& rule, AlertLabels labels, bool active, std::string summary,
                    std::string description) {
  AlertCondition c;
  c.labels = std::move(labels);
  // A disabled rule reports its condition as inactive, so what it fired before resolves.
  c.active = rule.enabled && active;
  c.annotations = {{"summary", std::move(summary)}, {"description", std::move(description)}};
  c.for_duration = rule.for_duration;
  return c;
}

std::string machine_name(std::string_view app, std::string_view machine) {
  return "machine " + str(machine) + " of app " + str(app);
}

}  // namespace

AlertLabels target_alert_labels(std::string_view alertname, Severity severity,
                                std::string_view target) {
  return {{"alertname", str(alertname)},
          {"severity", str(to_string(severity))},
          {"target", str(target)}};
}

AlertLabels machine_alert_labels(std::string_view alertname, Severity severity,
                                 std::string_view app, std::string_view machine,
                                 std::string_view region) {
  AlertLabels l{{"alertname", str(alertname)},
                {"severity", str(to_string(severity))},
                {"app", str(app)},
                {"machine", str(machine)}};
  if (!region.empty()) l["region"] = str(region);
  return l;
}

AlertLabels app_alert_labels(std::string_view alertname, Severity severity, std::string_view app) {
  return {{"alertname", str(alertname)},
          {"severity", str(to_string(severity))},
          {"app", str(app)}};
}

const AlertRule* AlertRules::rule(std::string_view name) const {
  if (name == alert_target_down) return &target_down;
  if (name == alert_target_flapping) return &target_flapping;
  if (name == alert_cert_expiring_soon) return &cert_expiring_soon;
  if (name == alert_machine_unhealthy) return &machine_unhealthy;
  if (name == alert_machine_stuck) return &machine_stuck;
  if (name == alert_machine_failed) return &machine_failed;
  if (name == alert_cold_start_slow) return &cold_start_slow;
  if (name == alert_app_no_healthy_machines) return &app_no_healthy_machines;
  return nullptr;
}

AlertCondition AlertRules::target_down_condition(std::string_view target, TargetState state,
                                                 std::string_view reason) const {
  std::string description = "Target " + str(target) + " failed its probes past the failure threshold";
  if (!reason.empty()) description += ": " + str(reason);
  return make(target_down, target_alert_labels(alert_target_down, target_down.severity, target),
              state == TargetState::down, "Target " + str(target) + " is down", description);
}

AlertCondition AlertRules::target_flapping_condition(std::string_view target,
                                                     const FlappingDetector& detector) const {
  const auto pct = static_cast<int>(detector.percent() + 0.5);
  return make(target_flapping,
              target_alert_labels(alert_target_flapping, target_flapping.severity, target),
              detector.flapping(), "Target " + str(target) + " is flapping",
              "Target " + str(target) + " changed between up and down in " + std::to_string(pct) +
                  "% (weighted) of its last " + std::to_string(FlappingDetector::window) +
                  " results; TargetDown notifications are held until it settles");
}

AlertCondition AlertRules::cert_expiring_soon_condition(std::string_view target,
                                                        std::optional<time_point> not_after,
                                                        time_point now) const {
  const bool soon = not_after.has_value() && *not_after - now < cert_expiry_warning;
  std::string description = "The certificate of target " + str(target);
  if (not_after) {
    const auto days = std::chrono::duration_cast<std::chrono::hours>(*not_after - now).count() / 24;
    description += days < 0 ? " has expired" : " expires in " + std::to_string(days) + " days";
  }
  return make(cert_expiring_soon,
              target_alert_labels(alert_cert_expiring_soon, cert_expiring_soon.severity, target),
              soon, "Certificate of " + str(target) + " expires soon", description);
}

AlertCondition AlertRules::machine_unhealthy_condition(std::string_view app,
                                                       std::string_view machine,
                                                       std::string_view region,
                                                       MachineState state,
                                                       std::string_view reason) const {
  // A machine whose host is unreachable may be down for all anyone knows, and Fly will not
  // say: that is as bad as unhealthy.
  const bool host_down = host_lost(state, reason);
  return make(machine_unhealthy,
              machine_alert_labels(alert_machine_unhealthy, machine_unhealthy.severity, app,
                                   machine, region),
              state == MachineState::unhealthy || host_down,
              "Machine " + str(machine) + " of " + str(app) + " is unhealthy",
              host_down ? "The " + machine_name(app, machine) + " is in state unknown: " + str(reason)
                        : "A Fly check is critical or flywatch's own probe fails on " +
                              machine_name(app, machine));
}

AlertCondition AlertRules::machine_stuck_condition(std::string_view app, std::string_view machine,
                                                   std::string_view region, bool stuck,
                                                   MachineState state,
                                                   std::string_view state_text) const {
  return make(machine_stuck,
              machine_alert_labels(alert_machine_stuck, machine_stuck.severity, app, machine,
                                   region),
              stuck, "Machine " + str(machine) + " of " + str(app) + " is stuck",
              "The " + machine_name(app, machine) + " has been " +
                  (state_text.empty() ? str(to_string(state)) : str(state_text)) +
                  " longer than the stuck limit");
}

AlertCondition AlertRules::machine_failed_condition(std::string_view app, std::string_view machine,
                                                    std::string_view region, bool failed,
                                                    bool oom_killed) const {
  return make(machine_failed,
              machine_alert_labels(alert_machine_failed, machine_failed.severity, app, machine,
                                   region),
              failed, "Machine " + str(machine) + " of " + str(app) + " failed",
              "The " + machine_name(app, machine) +
                  (oom_killed ? " was killed out of memory" : " is in state failed"));
}

AlertCondition AlertRules::cold_start_slow_condition(std::string_view app,
                                                     std::string_view machine,
                                                     std::string_view region, bool slow) const {
  return make(cold_start_slow,
              machine_alert_labels(alert_cold_start_slow, cold_start_slow.severity, app, machine,
                                   region),
              slow, "Slow cold start of machine " + str(machine) + " of " + str(app),
              "The last cold start of the " + machine_name(app, machine) +
                  " took longer than the cold-start SLO");
}

AlertCondition AlertRules::app_no_healthy_machines_condition(std::string_view app, bool awake,
                                                             int healthy_machines,
                                                             bool wake_failed) const {
  const bool none = awake && healthy_machines == 0;
  return make(app_no_healthy_machines,
              app_alert_labels(alert_app_no_healthy_machines, app_no_healthy_machines.severity,
                               app),
              none || wake_failed, "App " + str(app) + " has no healthy machine",
              wake_failed ? "Waking app " + str(app) + " failed"
                          : "App " + str(app) + " is awake but none of its machines is healthy");
}

// --- MachineAlertState ---

void MachineAlertState::observe(const MachineUpdate& update, MachineState state,
                                std::string_view reason) {
  if (!update.transitions.empty() || update.unstuck) stuck_ = false;
  if (update.stuck) {
    stuck_ = true;
    stuck_text_ = update.stuck->fly_state;
  }
  reason_ = std::string(reason);
  // An OOM kill seen in this update fires even if the machine is already healthy again (it
  // restarted between two polls); healthy in a later update resolves it.
  const bool oom_now = std::any_of(update.exits.begin(), update.exits.end(),
                                   [](const MachineExit& e) { return e.oom_killed; });
  if (oom_now) oom_ = true;
  else if (state == MachineState::healthy) oom_ = false;
  for (const auto& episode : update.cold_starts) slow_ = episode.slow;
  if (update.slow) slow_ = true;
  state_ = state;
}

void MachineAlertState::restore(bool stuck, bool oom_failed, bool cold_start_slow) {
  stuck_ = stuck_ || stuck;
  oom_ = oom_ || oom_failed;
  slow_ = slow_ || cold_start_slow;
}

std::vector<AlertCondition> MachineAlertState::conditions(const AlertRules& rules,
                                                          std::string_view app,
                                                          std::string_view machine,
                                                          std::string_view region,
                                                          bool gone) const {
  return {
      rules.machine_unhealthy_condition(app, machine, region,
                                        gone ? MachineState::destroyed : state_, reason_),
      rules.machine_stuck_condition(app, machine, region, !gone && stuck_, state_, stuck_text_),
      rules.machine_failed_condition(app, machine, region, !gone && failed(), oom_),
      rules.cold_start_slow_condition(app, machine, region, !gone && slow_),
  };
}

// --- AlertBook ---

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
