#include "engine/engine.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "core/duration.hpp"
#include "core/schedule.hpp"
#include "engine/probe_plan.hpp"

namespace flywatch::engine {

namespace asio = boost::asio;
using std::chrono::steady_clock;
using std::chrono::system_clock;

namespace {

double seconds(std::chrono::nanoseconds d) { return std::chrono::duration<double>(d).count(); }

std::string millis_text(std::chrono::nanoseconds d) {
  return std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(d).count());
}

}  // namespace

Engine::Engine(asio::io_context& io, net::HttpProber& prober, metrics::Metrics& metrics,
               log::Logger& logger)
    : io_(io), prober_(prober), metrics_(metrics), log_(logger), timer_(io) {}

void Engine::apply(const config::Config& cfg) {
  max_in_flight_ = std::max(1, cfg.engine.max_in_flight);
  prober_.reload();  // a reload re-reads CA files even where their paths did not change
  const auto now = steady_clock::now();
  std::map<std::string, std::shared_ptr<TargetRuntime>, std::less<>> next;
  std::vector<std::shared_ptr<TargetRuntime>> fresh;

  for (const auto& target : cfg.targets) {
    auto old = targets_.find(target.name);
    if (old != targets_.end() && same_probe(old->second->cfg, target)) {
      // Unchanged probe: keep health and phase. Only interval and thresholds may move.
      auto& t = old->second;
      const bool interval_changed = t->cfg.interval != target.interval;
      t->cfg = target;
      t->health.set_thresholds(target.failure_threshold, target.success_threshold);
      if (interval_changed) {
        const auto interval = std::chrono::duration_cast<std::chrono::nanoseconds>(target.interval);
        schedule(t, std::min(t->due, now + interval));
      }
      next.emplace(target.name, t);
      targets_.erase(old);
      continue;
    }
    if (old != targets_.end()) {
      log_.info("target changed", {{"target", target.name}});
      retire(old->second);
      metrics_.remove_target(target.name);
      targets_.erase(old);
    }
    auto t = std::make_shared<TargetRuntime>(target, make_probe_spec(target));
    metrics_.target(target.name);  // series exist from the start, before the first result
    fresh.push_back(t);
    next.emplace(target.name, std::move(t));
  }
  // First runs are placed after the (possibly long) setup above, so they are not born late.
  const auto placed = steady_clock::now();
  for (const auto& t : fresh) {
    const auto interval = std::chrono::duration_cast<std::chrono::nanoseconds>(t->cfg.interval);
    schedule(t, placed + core::first_run_offset(t->cfg.name, interval));
  }
  for (auto& [name, t] : targets_) {
    log_.info("target removed", {{"target", name}});
    retire(t);
    metrics_.remove_target(name);
  }
  targets_ = std::move(next);

  if (!timer_loop_running_ && !stopped_) {
    timer_loop_running_ = true;
    asio::co_spawn(io_, timer_loop(), asio::detached);
  } else {
    timer_.cancel();  // the loop re-arms for the new earliest due time
  }
}

void Engine::stop() {
  stopped_ = true;
  timer_.cancel();
  waiting_.clear();
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
      log_.warn("probe runs skipped", {{"target", t->cfg.name},
                                       {"reason", "late"},
                                       {"count", std::to_string(next.skipped + 1)}});
      run_slot = next.due;
      next.due += interval;
    }
    if (t->in_flight || t->waiting) {
      log_.debug("probe run skipped", {{"target", t->cfg.name}, {"reason", "still running"}});
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
  metrics_.scheduler_lateness().Observe(std::max(0.0, seconds(lateness)));
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
    record(*t, result);
  } catch (const std::exception& e) {
    // Only allocation failure can get here; the target keeps being probed.
    log_.error("recording a probe failed", {{"target", t->cfg.name}, {"reason", e.what()}});
  }
}

void Engine::probe_finished() {
  --in_flight_;
  while (!waiting_.empty() && in_flight_ < max_in_flight_ && !stopped_) {
    auto t = std::move(waiting_.front());
    waiting_.pop_front();
    t->waiting = false;
    if (!t->retired) launch(t);
  }
}

void Engine::record(TargetRuntime& t, const core::ProbeResult& result) {
  const auto now = system_clock::now();
  const core::Verdict verdict = core::evaluate(result, t.cfg.expect, now);
  const std::string& name = t.cfg.name;

  auto& s = metrics_.target(name);
  s.probe_success.Set(verdict.success ? 1 : 0);
  s.probe_duration.Observe(seconds(result.total));
  for (std::size_t i = 0; i < core::probe_phase_count; ++i) {
    s.phase[i].Set(result.phases[i] ? seconds(*result.phases[i]) : 0.0);
  }
  (verdict.success ? s.probes_success : s.probes_failure).Increment();
  if (!verdict.success) metrics_.count_failure(name, verdict.reason);
  s.http_status.Set(result.http_status);
  if (result.cert_not_after) {
    metrics_.set_cert_expiry(
        name, std::chrono::duration<double>(result.cert_not_after->time_since_epoch()).count());
  }

  if (!verdict.success) {
    // The first failure of a kind is worth a line; the same failure every interval is not.
    const bool news = t.last_failure != verdict.reason;
    log_.write(news ? core::LogLevel::warn : core::LogLevel::debug, "probe failed",
               {{"target", name},
                {"reason", std::string(core::to_string(verdict.reason))},
                {"error", verdict.detail},
                {"duration_ms", millis_text(result.total)}});
  } else if (t.last_failure != core::FailureReason::none) {
    log_.info("probe succeeded", {{"target", name}, {"duration_ms", millis_text(result.total)}});
  }
  t.last_failure = verdict.success ? core::FailureReason::none : verdict.reason;

  if (auto change = t.health.observe(verdict.success, now)) {
    metrics_.set_target_up(name, change->to == core::TargetState::up);
    core::LogFields fields{{"target", name},
                           {"from", std::string(core::to_string(change->from))},
                           {"to", std::string(core::to_string(change->to))}};
    if (!verdict.success) fields.emplace_back("reason", std::string(core::to_string(verdict.reason)));
    log_.write(change->to == core::TargetState::down ? core::LogLevel::warn : core::LogLevel::info,
               "target state changed", fields);
  }

  t.last = LastOutcome{verdict, result.http_status, result.total, now};
}

}  // namespace flywatch::engine
