#include "engine/alert_center.hpp"

#include <boost/asio/as_tuple.hpp>

namespace flywatch::engine {

namespace {

using std::chrono::system_clock;

template <class T>
void append(std::vector<T>& to, std::vector<T> more) {
  to.insert(to.end(), std::make_move_iterator(more.begin()), std::make_move_iterator(more.end()));
}

}  // namespace

AlertCenter::AlertCenter(boost::asio::io_context& io, metrics::Metrics& metrics, log::Logger& log)
    : io_(io), metrics_(metrics), log_(log), timer_(io), state_timer_(io) {
  for (auto name : core::alert_names) {
    firing_counts_[std::string(name)] = 0;
    set_metric(std::string(name));
    metrics_.count_alerts_inhibited(std::string(name), 0);
  }
}

void AlertCenter::apply(const config::AlertsConfig& cfg,
                        const std::set<std::string, std::less<>>& targets,
                        const std::set<std::string, std::less<>>& apps,
                        const std::set<std::string, std::less<>>& bound,
                        const std::set<std::string, std::less<>>& journeys, time_point now,
                        const core::InhibitAppMap& owners) {
  rules_ = cfg.rules;
  rules_.repeat_interval = cfg.repeat_interval;
  book_.set_repeat_interval(cfg.repeat_interval);
  maintenance_ = core::MaintenanceSchedule(cfg.maintenance);
  // What the new rules change shows in handle() below, with the events of the retirements.
  inhibition_.configure(cfg.inhibit, owners);
  for (auto it = machines_.begin(); it != machines_.end();) {
    it = apps.contains(it->first) ? std::next(it) : machines_.erase(it);
  }
  // Alerts nothing will observe again, or whose labels the new rules would spell differently,
  // end now: otherwise they would stay firing for ever.
  auto events = book_.retire(
      [&](const core::AlertLabels& labels) {
        return core::alert_outlived(labels, rules_, targets, apps, journeys);
      },
      now);
  // Done here, once per reload, rather than on every probe of a bound target.
  static const core::FlappingDetector steady;
  for (const auto& name : bound) {
    append(events, book_.observe(rules_.target_flapping_condition(name, steady), now));
    append(events, book_.suppress(core::target_alert_labels(core::alert_target_down,
                                                            rules_.target_down.severity, name),
                                  false, now));
  }
  handle(std::move(events), now, true);  // windows may have changed: release what they held
}

void AlertCenter::restore(const std::vector<alert::PersistedAlert>& alerts,
                          std::chrono::milliseconds grace, time_point now) {
  std::vector<core::AlertSnapshotEntry> entries;
  std::set<std::string> seen;
  for (const auto& a : alerts) {
    // Keyed as the book keys it: by the labels' fingerprint, once (a file is not trusted).
    const std::string fp = core::alert_fingerprint(a.entry.alert.labels);
    if (!seen.insert(fp).second || book_.firing(a.entry.alert.labels)) continue;
    entries.push_back(a.entry);
    entries.back().alert.fingerprint = fp;
    gate_.restore(fp, a.notified, now + grace);
    count_firing(core::AlertEvent{core::AlertEventKind::firing, a.entry.alert, now}, +1);
  }
  book_.restore(entries, now, grace);
  // Firing again for the inhibition book: a restored alert never paged whose source fires too
  // stays inhibited (handle() takes it out of the gate's held set).
  for (const auto& e : entries) {
    inhibition_.observe(core::AlertEvent{core::AlertEventKind::firing, e.alert, now});
  }
  // A past event never paged (a slow cold start of an outage) was explained by its source, which
  // may have resolved before the restart: it stays explained rather than paging now.
  for (const auto& e : entries) {
    if (!gate_.notified(e.alert.fingerprint)) inhibition_.explain_restored(e.alert.fingerprint);
  }
  // Arms the timer: alerts held by a window that has ended meanwhile go out once the grace has
  // passed, if they still fire then.
  handle({}, now, true);
}

void AlertCenter::observe_target(const ProbeRecorded& e) {
  const TargetRuntime& t = e.target;
  const core::Verdict& verdict = e.verdict;
  const time_point now = e.at;
  std::vector<core::AlertEvent> events;
  if (!t.bound) {
    const std::string reason =
        verdict.success ? std::string() : std::string(core::to_string(verdict.reason));
    events = book_.observe_target(rules_, t.cfg.name, t.health().state(), t.flapping(), now, reason);
  }
  // Without a certificate (plain HTTP, or the handshake failed) nothing is known: the last
  // judgement stands rather than resolving with every TLS failure.
  if (e.result.cert_not_after) {
    append(events, book_.observe(
                       rules_.cert_expiring_soon_condition(t.cfg.name, e.result.cert_not_after, now),
                       now));
  }
  handle(std::move(events), now);
}

void AlertCenter::observe_journey(const JourneyRecorded& e) {
  const JourneyRuntime& j = e.journey;
  const std::string reason =
      e.outcome.passed ? std::string() : std::string(core::to_string(e.outcome.verdict.reason));
  handle(book_.observe(rules_.journey_failing_condition(j.cfg.name(), j.cfg.app, j.health().state(),
                                                        e.outcome.failed_step, reason),
                       e.at),
         e.at);
}

void AlertCenter::observe_release(const ReleaseObserved& e) {
  const auto& f = e.failure;
  handle(book_.observe(rules_.release_failed_condition(e.app, f.has_value(), f ? f->machine : "",
                                                       f ? f->exit_code : 0,
                                                       f && f->oom_killed),
                       e.at),
         e.at);
}

void AlertCenter::observe_fleet(const std::string& app, const core::FleetUpdate& update,
                                const core::AppFleet& fleet,
                                const std::map<std::string, std::string>& regions,
                                const FleetVerdicts& verdicts, time_point now) {
  auto& tracked = machines_[app];
  std::vector<core::AlertCondition> conditions;
  static const core::MachineUpdate nothing;
  for (const auto& [id, lc] : fleet.machines()) {
    auto it = tracked.find(id);
    if (it == tracked.end()) {
      auto r = regions.find(id);
      TrackedMachine m;
      m.region = r == regions.end() ? std::string() : r->second;
      // After a restart, alerts that are latches (not levels) are re-armed from the book.
      const auto firing = [&](std::string_view name, core::Severity sev) {
        return book_.firing(core::machine_alert_labels(name, sev, app, id, m.region));
      };
      m.state.restore(firing(core::alert_machine_stuck, rules_.machine_stuck.severity),
                      firing(core::alert_machine_failed, rules_.machine_failed.severity),
                      firing(core::alert_cold_start_slow, rules_.cold_start_slow.severity));
      it = tracked.emplace(id, std::move(m)).first;
    }
    auto u = update.machines.find(id);
    it->second.state.observe(u == update.machines.end() ? nothing : u->second, lc.state(),
                             lc.reason());
    auto mc = it->second.state.conditions(rules_, app, id, it->second.region);
    // Unjudged, the machine's health is unknown: its MachineUnhealthy stays as it was (a
    // restored one is neither confirmed nor resolved by a machine that was just not probed yet).
    if (verdicts.undecided.contains(id)) mc.erase(mc.begin());  // MachineUnhealthy comes first
    append(conditions, std::move(mc));
  }
  // Gone machines: every alert of theirs resolves.
  for (auto it = tracked.begin(); it != tracked.end();) {
    if (fleet.machines().contains(it->first)) {
      ++it;
      continue;
    }
    append(conditions, it->second.state.conditions(rules_, app, it->first, it->second.region, true));
    it = tracked.erase(it);
  }
  const int healthy = update.count(core::MachineState::healthy);
  if (healthy > 0 || verdicts.undecided.empty() || verdicts.wake_failed) {
    const auto presence = fleet.machines().empty() ? core::AppPresence::no_machines
                          : update.asleep          ? core::AppPresence::asleep
                                                   : core::AppPresence::awake;
    const bool firing = book_.firing(core::app_alert_labels(
        core::alert_app_no_healthy_machines, rules_.app_no_healthy_machines.severity, app));
    conditions.push_back(rules_.app_no_healthy_machines_condition(app, presence, healthy,
                                                                  verdicts.wake_failed, firing));
  }
  if (!verdicts.target.empty() && verdicts.target_down) {
    conditions.push_back(rules_.target_down_condition(
        verdicts.target, *verdicts.target_down ? core::TargetState::down : core::TargetState::up,
        verdicts.target_reason));
  }
  handle(book_.observe(conditions, now), now);
}

std::vector<core::Alert> AlertCenter::notified_firing() const {
  std::vector<core::Alert> out;
  for (auto& e : book_.snapshot()) {
    if (gate_.notified(e.alert.fingerprint)) out.push_back(std::move(e.alert));
  }
  return out;
}

std::vector<alert::PersistedAlert> AlertCenter::state() const {
  std::vector<alert::PersistedAlert> out;
  for (auto& e : book_.snapshot()) {
    const bool notified = gate_.notified(e.alert.fingerprint);
    out.push_back(alert::PersistedAlert{std::move(e), notified});
  }
  return out;
}

void AlertCenter::stop() {
  // The last state goes out now: a clean shutdown loses no firing alert.
  if (state_dirty_ && publish_ && !stopped_) publish_({}, state());
  state_dirty_ = false;
  stopped_ = true;
  timer_.cancel();
  state_timer_.cancel();
}

void AlertCenter::handle(std::vector<core::AlertEvent> events, time_point now, bool force) {
  const bool changed = book_.changes() != seen_changes_;
  // The common case on every probe: nothing happened, nothing to do.
  if (events.empty() && !changed && !force) return;
  seen_changes_ = book_.changes();
  // The whole batch first: an evaluation that raises a target and its source together (in
  // whichever order) holds the target back.
  for (const auto& e : events) inhibition_.observe(e);
  inhibition_.advance(now);  // resolved sources whose release_after has passed
  const core::InhibitionChanges inhibition = inhibition_.take_changes();
  std::vector<core::AlertEvent> send;
  for (auto& e : events) {
    if (e.kind != core::AlertEventKind::repeat) {
      count_firing(e, e.kind == core::AlertEventKind::firing ? +1 : -1);
    }
    // Inhibited: counted, but the gate never sees its firing or repeats (its resolve, sent only
    // when its firing was, goes through).
    if (e.kind != core::AlertEventKind::resolved && inhibition_.inhibited(e.alert.fingerprint)) {
      continue;
    }
    decide(std::move(e), now, send);
  }
  act(inhibition, now, send);
  // Alerts held by a window that has ended go out now.
  for (auto& e : gate_.release(book_, maintenance_, now)) {
    log_event(e, "alert firing", core::LogLevel::warn);
    send.push_back(std::move(e));
  }
  if (!send.empty() && publish_) publish_(send, std::nullopt);
  schedule_state();
  rearm(now, force);
}

void AlertCenter::decide(core::AlertEvent e, time_point now,
                         std::vector<core::AlertEvent>& send) {
  const bool first = e.kind == core::AlertEventKind::firing;
  auto d = gate_.decide(std::move(e), maintenance_, now);
  switch (d.action) {
    case core::GateAction::resolve:
    case core::GateAction::forget:
      log_event(d.event, "alert resolved", core::LogLevel::info);
      break;
    case core::GateAction::hold:
      if (first) log_event(d.event, "alert held", core::LogLevel::info, {{"window", d.window}});
      break;
    case core::GateAction::drop: break;
    case core::GateAction::page: log_event(d.event, "alert firing", core::LogLevel::warn); break;
    case core::GateAction::repeat: log_event(d.event, "alert repeated", core::LogLevel::info); break;
  }
  if (d.send()) send.push_back(std::move(d.event));
}

void AlertCenter::act(const core::InhibitionChanges& changes, time_point now,
                      std::vector<core::AlertEvent>& send) {
  for (const auto& a : changes.inhibited) {
    gate_.unhold(a.fingerprint);  // its first page waits for its source now, not for a window
    core::AlertEvent e{core::AlertEventKind::firing, {}, now};
    e.alert.labels = a.labels;
    e.alert.fingerprint = a.fingerprint;
    metrics_.count_alerts_inhibited(std::string(e.alert.name()));
    const auto by = a.by.find("alertname");
    log_event(e, "alert inhibited", core::LogLevel::info,
              {{"by", by == a.by.end() ? std::string() : by->second}});
  }
  for (const auto& r : changes.released) {
    // Paged before its inhibition began: its repeats simply resume. Decided in this batch
    // already (its own firing came with it): nothing more.
    if (gate_.notified(r.fingerprint) || gate_.held(r.fingerprint)) continue;
    auto entry = book_.sent_alert(r.fingerprint);
    if (!entry) continue;
    decide(core::AlertEvent{core::AlertEventKind::firing, std::move(entry->alert), now}, now, send);
  }
}

void AlertCenter::schedule_state() {
  state_dirty_ = true;
  if (state_scheduled_ || stopped_) return;
  state_scheduled_ = true;
  state_timer_.expires_after(state_delay);
  state_timer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec) return;  // cancelled: the center may be gone
    state_scheduled_ = false;
    if (!state_dirty_ || stopped_) return;
    state_dirty_ = false;
    if (publish_) publish_({}, state());
  });
}

void AlertCenter::count_firing(const core::AlertEvent& e, int delta) {
  const std::string name(e.alert.name());
  firing_counts_[name] += delta;
  set_metric(name);
}

void AlertCenter::rearm(time_point now, bool full) {
  if (stopped_) return;
  // The next end of a maintenance window or of a resolved source's inhibition.
  auto release = gate_.next_release(book_, maintenance_, now);
  if (const auto end = inhibition_.next_release(); end && (!release || *end < *release)) release = end;
  const auto due = core::next_alert_deadline(book_, armed_, full, release);
  if (due == armed_) return;  // the usual case: a probe changed nothing
  armed_ = due;
  if (!due) {
    timer_.cancel();
    return;
  }
  const auto wait = std::max(std::chrono::nanoseconds(0),
                             std::chrono::duration_cast<std::chrono::nanoseconds>(*due - now));
  timer_.expires_after(wait);
  timer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec || stopped_) return;
    armed_.reset();
    const auto at = system_clock::now();
    handle(book_.tick(at), at, true);
  });
}

void AlertCenter::log_event(const core::AlertEvent& e, const char* msg, core::LogLevel level,
                            core::LogFields extra) const {
  core::LogFields fields;
  for (const auto& [k, v] : e.alert.labels) fields.emplace_back(k, v);
  fields.emplace_back("fingerprint", e.alert.fingerprint);
  for (auto& f : extra) {
    if (!f.second.empty()) fields.push_back(std::move(f));
  }
  log_.write(level, msg, std::move(fields));
}

void AlertCenter::set_metric(const std::string& alertname) const {
  auto it = firing_counts_.find(alertname);
  metrics_.set_alerts_firing(alertname, it == firing_counts_.end() ? 0 : it->second);
}

}  // namespace flywatch::engine
