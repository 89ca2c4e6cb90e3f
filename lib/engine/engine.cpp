#include "engine/engine.hpp"

#include <set>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "core/duration.hpp"
#include "core/schedule.hpp"
#include "engine/probe_plan.hpp"
#include "engine/probe_record.hpp"

namespace flywatch::engine {

namespace asio = boost::asio;
using std::chrono::steady_clock;
using std::chrono::system_clock;

Engine::Engine(asio::io_context& io, net::Prober& prober, net::HttpClient& http,
               metrics::Metrics& metrics, log::Logger& logger)
    : io_(io),
      prober_(prober),
      http_(http),
      alerts_(io, metrics, logger),
      metrics_events_(metrics),
      log_events_(logger),
      alert_events_(alerts_),
      timer_(io) {
  // Counted, then logged, then judged: a state change is logged before the alerts it leads to.
  events_.subscribe(metrics_events_);
  events_.subscribe(log_events_);
  events_.subscribe(alert_events_);
  events_.subscribe(cold_starts_);
}

void Engine::apply(const config::Config& cfg) {
  max_in_flight_ = std::max(1, cfg.engine.max_in_flight);
  // A reload re-reads CA files even where their paths did not change.
  prober_.reload();
  http_.reload();
  const auto now = steady_clock::now();
  std::map<std::string, std::shared_ptr<TargetRuntime>, std::less<>> next;
  std::vector<std::shared_ptr<TargetRuntime>> fresh;
  std::set<std::string, std::less<>> bound;
  if (cfg.fly) {
    for (const auto& app : cfg.fly->apps) {
      if (!app.target.empty()) bound.insert(app.target);
    }
  }

  for (const auto& target : cfg.targets) {
    auto old = targets_.find(target.name);
    const bool is_bound = bound.contains(target.name);
    if (old != targets_.end() && same_probe(old->second->cfg, target)) {
      // Unchanged probe: keep health and phase. Only interval and thresholds may move.
      auto& t = old->second;
      const bool interval_changed = t->cfg.interval != target.interval;
      t->cfg = target;
      t->set_thresholds(target.failure_threshold, target.success_threshold);
      const auto interval = std::chrono::duration_cast<std::chrono::nanoseconds>(target.interval);
      if (is_bound && !t->bound) {
        ++t->schedule_generation;  // its heap entries go stale: the app watch probes it now
      } else if (!is_bound && t->bound) {
        schedule(t, now + core::first_run_offset(target.name, interval));
      } else if (!is_bound && interval_changed) {
        schedule(t, std::min(t->due, now + interval));
      }
      t->bound = is_bound;
      next.emplace(target.name, t);
      targets_.erase(old);
      continue;
    }
    if (old != targets_.end()) {
      retire(old->second);
      events_.publish(TargetChanged{target.name});
      targets_.erase(old);
    }
    auto t = std::make_shared<TargetRuntime>(target, make_probe_spec(target));
    t->bound = is_bound;
    events_.publish(TargetAdded{target.name});  // series exist before the first result
    if (!is_bound) fresh.push_back(t);
    next.emplace(target.name, std::move(t));
  }
  // First runs are placed after the (possibly long) setup above, so they are not born late.
  const auto placed = steady_clock::now();
  for (const auto& t : fresh) {
    const auto interval = std::chrono::duration_cast<std::chrono::nanoseconds>(t->cfg.interval);
    schedule(t, placed + core::first_run_offset(t->cfg.name, interval));
  }
  for (auto& [name, t] : targets_) {
    retire(t);
    events_.publish(TargetRemoved{name});
  }
  targets_ = std::move(next);
  // connection: reuse: removed and changed targets (whose runtime, hence owner, is new) lose
  // their kept connections.
  std::set<std::string, std::less<>> connection_owners;
  for (const auto& [name, t] : targets_) {
    if (!t->spec.connection_owner.empty()) connection_owners.insert(t->spec.connection_owner);
  }
  prober_.retain_connections(connection_owners);
  apply_fly(cfg);
  apply_journeys(cfg);

  std::set<std::string, std::less<>> target_names, app_names, bound_names, journey_names;
  for (const auto& [name, t] : targets_) {
    t->set_flapping_thresholds(cfg.alerts.rules.flapping);
    target_names.insert(name);
    if (t->bound) bound_names.insert(name);
  }
  for (const auto& [name, watch] : apps_) app_names.insert(name);
  for (const auto& [name, watch] : journeys_) journey_names.insert(name);
  // TargetDown and JourneyFailing name their target or journey: inhibit rules comparing `app`
  // look it up here.
  core::InhibitAppMap owners;
  if (cfg.fly) {
    for (const auto& app : cfg.fly->apps) {
      if (!app.target.empty()) owners.target_app.emplace(app.target, app.name);
    }
  }
  for (const auto& j : cfg.journeys) {
    if (!j.app.empty()) owners.journey_app.emplace(j.name(), j.app);
  }
  alerts_.apply(cfg.alerts, target_names, app_names, bound_names, journey_names,
                system_clock::now(), owners);

  if (!timer_loop_running_ && !stopped_) {
    timer_loop_running_ = true;
    asio::co_spawn(io_, timer_loop(), asio::detached);
  } else {
    timer_.cancel();  // the loop re-arms for the new earliest due time
  }
}

void Engine::apply_fly(const config::Config& cfg) {
  std::map<std::string, std::shared_ptr<AppWatch>, std::less<>> next;
  if (cfg.fly) {
    const config::FlyConfig& fly = *cfg.fly;
    // A new poller only when where or how to ask changed; polls in flight hold the old one.
    const std::string key = fly.api_url + '\n' + fly.token;
    if (!poller_ || key != poller_key_) {
      fly::FlyApiConfig api;
      api.api_url = fly.api_url;
      api.token = fly.token;
      poller_ = std::make_shared<fly::MachinePoller>(std::move(api), http_);
      poller_key_ = key;
    }
    for (const auto& app : fly.apps) {
      AppWatchSettings s;
      s.app = app;
      s.poll_interval = fly.poll_interval;
      s.poller = poller_;
      if (!app.target.empty()) s.target = targets_.at(app.target);
      auto old = apps_.find(app.name);
      if (old != apps_.end()) {
        old->second->update(std::move(s));
        next.emplace(app.name, old->second);
        apps_.erase(old);
        continue;
      }
      auto watch = std::make_shared<AppWatch>(io_, std::move(s), prober_, events_);
      if (!stopped_) watch->start();
      next.emplace(app.name, std::move(watch));
    }
  } else {
    poller_.reset();
    poller_key_.clear();
  }
  for (auto& [name, watch] : apps_) {
    watch->stop();
    events_.publish(AppRemoved{name});
  }
  apps_ = std::move(next);
}

void Engine::apply_journeys(const config::Config& cfg) {
  std::map<std::string, std::shared_ptr<JourneyWatch>, std::less<>> next;
  for (const config::Journey& j : cfg.journeys) {
    std::shared_ptr<AppWatch> app;
    if (!j.app.empty()) app = apps_.at(j.app);  // the config guarantees the app
    auto old = journeys_.find(j.name());
    if (old != journeys_.end() && same_journey(old->second->cfg(), j)) {
      old->second->update(j, std::move(app));
      next.emplace(j.name(), old->second);
      journeys_.erase(old);
      continue;
    }
    if (old != journeys_.end()) {
      old->second->stop();
      events_.publish(JourneyRemoved{j.name()});
      journeys_.erase(old);
    }
    auto watch = std::make_shared<JourneyWatch>(io_, j, std::move(app), prober_, events_);
    events_.publish(JourneyAdded{j.name()});
    if (!stopped_) watch->start();
    next.emplace(j.name(), std::move(watch));
  }
  for (auto& [name, watch] : journeys_) {
    watch->stop();
    events_.publish(JourneyRemoved{name});
  }
  journeys_ = std::move(next);
}

void Engine::stop() {
  stopped_ = true;
  alerts_.stop();
  timer_.cancel();
  waiting_.clear();
  for (auto& [name, watch] : apps_) watch->stop();
  for (auto& [name, watch] : journeys_) watch->stop();
}

void Engine::retire(const std::shared_ptr<TargetRuntime>& t) {
  t->retired = true;
  ++t->schedule_generation;
}

void Engine::schedule(const std::shared_ptr<TargetRuntime>& t, steady_clock::time_point due) {
  t->due = due;
  heap_.push({due, t, ++t->schedule_generation});
}

asio::awaitable<void> Engine::timer_loop() {
  while (!stopped_) {
    // Drop stale entries so the timer is armed for a real due time.
    while (!heap_.empty() && heap_.top().generation != heap_.top().target->schedule_generation) {
      heap_.pop();
    }
    if (heap_.empty()) {
      timer_.expires_at(steady_clock::time_point::max());
    } else {
      timer_.expires_at(heap_.top().due);
    }
    co_await timer_.async_wait(asio::as_tuple(asio::use_awaitable));
    if (stopped_) break;
    dispatch_due(steady_clock::now());
  }
  timer_loop_running_ = false;
}

void Engine::dispatch_due(steady_clock::time_point now) {
  while (!heap_.empty() && heap_.top().due <= now) {
    HeapEntry e = heap_.top();
    heap_.pop();
    if (e.generation != e.target->schedule_generation) continue;
    auto& t = e.target;
    const auto interval = std::chrono::duration_cast<std::chrono::nanoseconds>(t->cfg.interval);
    auto next = core::next_run(e.due, interval, now);
    auto run_slot = e.due;
    if (next.due <= now) {
      // Late by a whole interval or more (a stalled loop, a suspended VM): run once now for the
      // latest slot, and drop the ones before it instead of running them back to back.
      events_.publish(ProbeRunsSkipped{t->cfg.name, true, next.skipped + 1});
      run_slot = next.due;
      next.due += interval;
    }
    if (t->in_flight || t->waiting) {
      events_.publish(ProbeRunsSkipped{t->cfg.name, false, 1});
    } else {
      t->run_due = run_slot;
      start_or_wait(t);
    }
    schedule(t, next.due);
  }
}

void Engine::start_or_wait(const std::shared_ptr<TargetRuntime>& t) {
  if (in_flight_ >= max_in_flight_) {
    t->waiting = true;
    waiting_.push_back(t);
    return;
  }
  launch(t);
}

void Engine::launch(const std::shared_ptr<TargetRuntime>& t) {
  const auto lateness = steady_clock::now() - t->run_due;
  events_.publish(SchedulerLateness{std::max(0.0, core::to_seconds(lateness))});
  t->in_flight = true;
  ++in_flight_;
  asio::co_spawn(io_, run_probe(t), asio::detached);
}

asio::awaitable<void> Engine::run_probe(std::shared_ptr<TargetRuntime> t) {
  // Whatever happens below, the slot is given back, or the limit would shrink for good.
  // The frame may also be destroyed unrun with the io_context, after the engine is gone.
  struct Slot {
    Engine& engine;
    std::weak_ptr<int> engine_alive;
    TargetRuntime& target;
    ~Slot() {
      target.in_flight = false;
      if (!engine_alive.expired()) engine.probe_finished();
    }
  } slot{*this, alive_, *t};
  // `t` keeps the spec alive; a reload never changes the spec of a runtime (a changed probe
  // gets a new runtime), so no copy is needed on this hot path.
  core::ProbeResult result = co_await prober_.probe(t->spec);
  ++completed_;
  if (t->retired || stopped_) co_return;
  try {
    const auto now = std::chrono::system_clock::now();
    const core::Verdict verdict = co_await evaluate_off_loop(result, t->cfg.expect, now);
    if (t->retired || stopped_) co_return;  // while a heavy evaluation ran
    record_verdict(*t, result, verdict, now, events_);
  } catch (const std::exception& e) {
    // Only allocation failure can get here; the target keeps being probed.
    const core::LogFields fields{{"target", t->cfg.name}, {"reason", e.what()}};
    events_.publish(Notice{core::LogLevel::error, "recording a probe failed", fields});
  }
}

void Engine::probe_finished() {
  --in_flight_;
  while (!waiting_.empty() && in_flight_ < max_in_flight_ && !stopped_) {
    auto t = std::move(waiting_.front());
    waiting_.pop_front();
    t->waiting = false;
    if (!t->retired && !t->bound) launch(t);  // bound since it queued: its app probes it
  }
}

}  // namespace flywatch::engine
