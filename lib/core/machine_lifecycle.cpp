#include "core/machine_lifecycle.hpp"

#include <algorithm>
#include <set>

namespace flywatch::core {
namespace {

using Clock = std::chrono::system_clock;
using std::chrono::milliseconds;

Clock::time_point from_epoch_ms(std::int64_t ms) { return Clock::time_point{} + milliseconds(ms); }

bool starting_or_started(MachineState s) {
  return s == MachineState::starting || started_family(s);
}

// States that end a cold start without it ever becoming healthy.
bool abandons_cold_start(MachineState s) {
  return asleep_state(s) || s == MachineState::stopping || s == MachineState::suspending ||
         s == MachineState::failed || s == MachineState::destroyed;
}

// Transient states a machine should pass through quickly; Fly's docs call a machine stuck when
// it lingers in them.
bool transient(MachineState s) {
  return s == MachineState::starting || s == MachineState::stopping ||
         s == MachineState::suspending || s == MachineState::updating;
}

// The newest event newer than `after_ms` (and not after `not_after`, which guards against a
// host clock ahead of ours) whose status satisfies `pred`.
template <class Pred>
const MachineEvent* newest_event(const MachineSnapshot& m, std::int64_t after_ms,
                                 Clock::time_point not_after, Pred pred) {
  const MachineEvent* best = nullptr;
  for (const auto& e : m.events) {
    if (e.timestamp_ms <= after_ms || from_epoch_ms(e.timestamp_ms) > not_after) continue;
    if (!pred(e)) continue;
    if (!best || e.timestamp_ms > best->timestamp_ms) best = &e;
  }
  return best;
}

const MachineEvent* newest_with_status(const MachineSnapshot& m, std::int64_t after_ms,
                                       Clock::time_point not_after, std::string_view status) {
  return newest_event(m, after_ms, not_after,
                      [&](const MachineEvent& e) { return e.status == status; });
}

bool has_fly_checks(const MachineSnapshot& m) {
  return !m.checks.empty() || m.configured_checks > 0;
}

// Health is not in the event log: reaching healthy/unhealthy through checks or a probe is
// only known at observation time. A machine with neither is healthy the moment it started.
bool health_gated(MachineState to, const MachineSnapshot& m, OwnProbe own_probe) {
  if (to == MachineState::unhealthy) return true;
  return to == MachineState::healthy && (has_fly_checks(m) || own_probe != OwnProbe::none);
}

// The latest `updated_at` of the listed checks, all of which pass: by then every check was
// passing, so the machine was healthy (as far as Fly's checks go) no later than that.
std::optional<Clock::time_point> checks_passing_since(const MachineSnapshot& m) {
  std::optional<std::int64_t> latest;
  for (const auto& c : m.checks) {
    if (c.status != "passing" || !c.updated_at_ms) return std::nullopt;
    latest = std::max(latest.value_or(*c.updated_at_ms), *c.updated_at_ms);
  }
  if (!latest) return std::nullopt;
  return from_epoch_ms(*latest);
}

}  // namespace

MachineState MachineLifecycle::booting_grace(const MachineSnapshot& m, MachineState s,
                                             OwnProbe own_probe, Clock::time_point now) const {
  if (!started_family(s) || m.cordoned) return s;
  // A cold start in progress, one this very observation begins (the machine was asleep), or
  // a start within the SLO: Fly's checks lag behind the app then.
  const bool booting = (episode_ && now - episode_->start <= limits_.cold_start_slo) ||
                       (seen_ && asleep_state(state_)) ||
                       (last_start_ && now - *last_start_ <= limits_.cold_start_slo);
  if (!booting) return s;
  if (own_probe == OwnProbe::failing) return MachineState::unhealthy;
  if (own_probe == OwnProbe::passing) return MachineState::healthy;
  return s == MachineState::unhealthy ? MachineState::started : s;
}

MachineUpdate MachineLifecycle::observe(const MachineSnapshot& m, OwnProbe own_probe,
                                        Clock::time_point now) {
  MachineUpdate out;
  MachineState s = booting_grace(m, lifecycle_state(m, own_probe), own_probe, now);
  reason_ = state_reason(m, s);
  cordoned_ = m.cordoned;
  if (!seen_) {
    seen_ = true;
    first_sighting(m, own_probe, s, now, out);
  } else {
    for (const auto& e : m.events) {
      if (e.type != "exit" || e.timestamp_ms <= last_event_ms_) continue;
      out.exits.push_back({e.exit_code, e.oom_killed, from_epoch_ms(e.timestamp_ms)});
    }
    std::sort(out.exits.begin(), out.exits.end(),
              [](const MachineExit& a, const MachineExit& b) { return a.at < b.at; });
    if (s != state_) change(m, own_probe, s, now, out);
  }

  if (episode_ && !episode_->slow && now - episode_->start > limits_.cold_start_slo) {
    episode_->slow = true;
    out.slow = *episode_;
  }
  if (transient(state_) && !stuck_reported_ && now - since_ > limits_.stuck_after) {
    stuck_reported_ = true;
    out.stuck = StuckMachine{state_, since_};
  }
  created_too_long(m, now, out);
  // An event from the future (a host clock ahead of ours) must not hide the real events that
  // follow it: the high-water mark never passes `now`.
  for (const auto& e : m.events) {
    if (from_epoch_ms(e.timestamp_ms) <= now) last_event_ms_ = std::max(last_event_ms_, e.timestamp_ms);
  }
  return out;
}

void MachineLifecycle::created_too_long(const MachineSnapshot& m, Clock::time_point now,
                                        MachineUpdate& out) {
  // Fly's `created` counts as stopped (nothing runs), but a machine is created to be started:
  // one left in it for long is a deploy or launch that went wrong, not an app asleep.
  if (m.state != "created") {
    // A transition clears the stuck alert anyway; created → stopped has none to do it.
    if (created_reported_ && out.transitions.empty()) out.unstuck = true;
    created_since_.reset();
    created_reported_ = false;
    return;
  }
  if (!created_since_) {
    const MachineEvent* e = newest_with_status(m, 0, now, "created");
    created_since_ = e ? from_epoch_ms(e->timestamp_ms) : now;
  }
  if (!created_reported_ && now - *created_since_ > limits_.stuck_after) {
    created_reported_ = true;
    out.stuck = StuckMachine{state_, *created_since_, "created"};
  }
}

void MachineLifecycle::first_sighting(const MachineSnapshot& m, OwnProbe own_probe,
                                      MachineState s, Clock::time_point now, MachineUpdate& out) {
  if (starting_or_started(s)) {
    // A start still in progress (or just finished) when we first look is a cold start we can
    // still time from its events; an old one is history.
    const MachineEvent* start = newest_event(m, 0, now, [](const MachineEvent& e) {
      return e.status == "starting" || e.status == "started";
    });
    // A cordoned machine is never healthy here, so its episode could never end.
    bool timeable = start && !m.cordoned &&
                    now - from_epoch_ms(start->timestamp_ms) <= limits_.recent_start;
    // Already healthy as far as Fly can tell (our own probe has not answered yet): the healthy
    // moment lies before we looked, and only the API can say when. Without checks or a probe
    // it is the `started` moment (change() takes it from the event); with checks, their
    // updated_at bounds it; else it is unknown and this start adds no cold start, since the
    // time we looked would pass for its `ready` phase (a restart of flywatch must not page).
    healthy_hint_.reset();
    if (timeable && started_family(s) &&
        lifecycle_state(m, OwnProbe::none) == MachineState::healthy) {
      const MachineEvent* started = newest_with_status(m, 0, now, "started");
      if (has_fly_checks(m)) {
        const auto bound = checks_passing_since(m);
        timeable = started && bound && *bound >= from_epoch_ms(started->timestamp_ms) &&
                   *bound <= now;
        if (timeable) healthy_hint_ = bound;
      } else {
        timeable = started && own_probe == OwnProbe::none;
      }
    }
    if (timeable) {
      // What the machine was before this start decides cold vs resume; the events up to then
      // count as already seen so that change() uses the start's own events.
      std::vector<const MachineEvent*> older;
      for (const auto& e : m.events) {
        if (e.timestamp_ms <= start->timestamp_ms) older.push_back(&e);
      }
      std::sort(older.begin(), older.end(), [](const MachineEvent* x, const MachineEvent* y) {
        return x->timestamp_ms > y->timestamp_ms;
      });
      std::int64_t first_start_ms = start->timestamp_ms;
      const MachineEvent* before = nullptr;
      for (const MachineEvent* e : older) {
        if (e->status != "starting" && e->status != "started") {
          before = e;
          break;
        }
        first_start_ms = e->timestamp_ms;
      }
      bool resume = before && (before->status == "suspended" || before->type == "suspend");
      state_ = resume ? MachineState::suspended : MachineState::stopped;
      last_event_ms_ = before ? before->timestamp_ms : first_start_ms - 1;
      since_ = before ? from_epoch_ms(before->timestamp_ms) : now;
      // Now that the machine counts as asleep until this start, the booting grace applies.
      change(m, own_probe, booting_grace(m, s, own_probe, now), now, out);
      healthy_hint_.reset();
      return;
    }
  }
  state_ = s;
  since_ = now;
  if (s != MachineState::unknown) {
    MachineState base = started_family(s) ? MachineState::started : s;
    if (const MachineEvent* e = newest_event(m, 0, now, [&](const MachineEvent& x) {
          return base_state(x.status) == base;
        })) {
      since_ = from_epoch_ms(e->timestamp_ms);
    }
  }
}

void MachineLifecycle::change(const MachineSnapshot& m, OwnProbe own_probe,
                              MachineState to, Clock::time_point now, MachineUpdate& out) {
  MachineState from = state_;
  Clock::time_point at = now;
  if (healthy_hint_ && to == MachineState::healthy) {
    at = *healthy_hint_;
  } else if (to != MachineState::unknown && !health_gated(to, m, own_probe)) {
    MachineState base = started_family(to) ? MachineState::started : to;
    if (const MachineEvent* e = newest_event(m, last_event_ms_, now, [&](const MachineEvent& x) {
          return base_state(x.status) == base;
        })) {
      at = from_epoch_ms(e->timestamp_ms);
    }
  }
  out.transitions.push_back({from, to, at, state_reason(m, to)});

  if (episode_ && abandons_cold_start(to)) {
    episode_->ended = at;
    out.abandoned = *episode_;
    episode_.reset();
  }
  if (!episode_ && asleep_state(from) && starting_or_started(to)) {
    last_start_ = at;
    ColdStartEpisode ep;
    ep.kind = from == MachineState::suspended ? ColdStartKind::resume : ColdStartKind::cold;
    ep.start = at;
    if (const MachineEvent* e = newest_with_status(m, last_event_ms_, now, "starting")) {
      ep.start = from_epoch_ms(e->timestamp_ms);
      ep.start_from_event = true;
      last_start_ = ep.start;
    } else if (started_family(to)) {
      // Seen neither `starting` nor its event: when the start began is unknown.
      ep.boot_unknown = true;
    }
    episode_ = ep;
  }

  state_ = to;
  since_ = at;
  stuck_reported_ = false;
  progress(m, at, now, out);
}

void MachineLifecycle::progress(const MachineSnapshot& m, Clock::time_point at,
                                Clock::time_point now, MachineUpdate& out) {
  if (!episode_) return;
  ColdStartEpisode& ep = *episode_;
  if (started_family(state_) && !ep.started) {
    const MachineEvent* e = newest_with_status(m, last_event_ms_, now, "started");
    ep.started = e ? from_epoch_ms(e->timestamp_ms) : at;
    // A start polls missed has no observable start moment before `started`: boot unknown.
    if (*ep.started < ep.start) {
      ep.start = *ep.started;
      ep.boot_unknown = true;
    }
  }
  // The checks' bound ends the episode even while our own probe is still pending: the app
  // was up by then, and the probe's first answer would only time our first look.
  if (state_ == MachineState::healthy || (healthy_hint_ && ep.started)) {
    ep.healthy = std::max(healthy_hint_.value_or(at), *ep.started);
    if (*ep.healthy - ep.start > limits_.cold_start_slo) ep.slow = true;
    out.cold_starts.push_back(ep);
    episode_.reset();
  }
}

void AppFleet::set_limits(LifecycleLimits limits) {
  limits_ = limits;
  for (auto& [id, lc] : machines_) lc.set_limits(limits);
}

FleetUpdate AppFleet::observe(const std::vector<MachineSnapshot>& machines,
                              const std::map<std::string, OwnProbe>& own_probe,
                              Clock::time_point now) {
  FleetUpdate out;
  std::set<std::string> listed;
  for (const auto& m : machines) {
    if (is_ignored_process_group(m.process_group)) continue;
    if (!listed.insert(m.id).second) continue;  // a duplicate id in one list: first one wins
    auto it = machines_.find(m.id);
    if (it == machines_.end()) {
      // Listing with include_deleted returns long-gone machines; they were never ours to track.
      if (base_state(m.state) == MachineState::destroyed) continue;
      it = machines_.emplace(m.id, MachineLifecycle(limits_)).first;
      out.appeared.push_back(m.id);
    }
    OwnProbe probe = OwnProbe::none;
    if (auto p = own_probe.find(m.id); p != own_probe.end()) probe = p->second;
    MachineUpdate u = it->second.observe(m, probe, now);
    if (!u.empty()) out.machines.emplace(m.id, std::move(u));
    if (it->second.state() == MachineState::destroyed) out.destroyed.push_back(m.id);
  }
  for (const auto& id : out.destroyed) machines_.erase(id);
  for (auto it = machines_.begin(); it != machines_.end();) {
    if (listed.count(it->first)) {
      ++it;
      continue;
    }
    out.disappeared.push_back(it->first);
    it = machines_.erase(it);
  }
  bool all_asleep = true;
  for (const auto& [id, lc] : machines_) {
    ++out.counts[static_cast<std::size_t>(lc.state())];
    all_asleep = all_asleep && asleep_state(lc.state());
  }
  out.asleep = !machines_.empty() && all_asleep;
  return out;
}

}  // namespace flywatch::core
