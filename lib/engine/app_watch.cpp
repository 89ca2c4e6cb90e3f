#include "engine/app_watch.hpp"

#include <random>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "core/log_line.hpp"
#include "engine/fleet_report.hpp"
#include "engine/outcome_json.hpp"
#include "engine/probe_record.hpp"

namespace flywatch::engine {

namespace asio = boost::asio;
using std::chrono::steady_clock;
using std::chrono::system_clock;

namespace {

bool fly_started(core::MachineState s) {
  return s == core::MachineState::started || s == core::MachineState::healthy ||
         s == core::MachineState::unhealthy;
}

core::LifecycleLimits limits_of(const config::FlyApp& app) {
  core::LifecycleLimits l;
  l.cold_start_slo = app.cold_start_slo;
  l.stuck_after = app.stuck_after;
  return l;
}

double jitter() {
  static thread_local std::minstd_rand gen{std::random_device{}()};
  return std::uniform_real_distribution<double>(0.0, 1.0)(gen);
}

std::string ms_text(std::chrono::nanoseconds d) {
  return std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(d).count());
}

std::string_view to_string(config::WhenAsleep w) {
  switch (w) {
    case config::WhenAsleep::skip: return "skip";
    case config::WhenAsleep::probe: return "probe";
    case config::WhenAsleep::wake_every: return "wake_every";
  }
  return "skip";
}

std::string_view to_string(core::OwnProbe p) {
  switch (p) {
    case core::OwnProbe::none: return "none";
    case core::OwnProbe::pending: return "pending";
    case core::OwnProbe::passing: return "passing";
    case core::OwnProbe::failing: return "failing";
  }
  return "none";
}

}  // namespace

AppWatch::AppWatch(asio::io_context& io, AppWatchSettings settings, net::Prober& prober,
                   metrics::Metrics& metrics, log::Logger& log, AlertCenter& alerts)
    : io_(io),
      settings_(std::move(settings)),
      prober_(prober),
      metrics_(metrics),
      log_(log),
      alerts_(alerts),
      timer_(io),
      poll_state_(settings_.poll_interval),
      fleet_(limits_of(settings_.app)),
      last_wake_(steady_clock::now()) {}

void AppWatch::start() {
  asio::co_spawn(io_, poll_loop(shared_from_this()), asio::detached);
}

void AppWatch::stop() {
  stopped_ = true;
  ++probe_generation_;
  timer_.cancel();
  cancel_waits();
}

void AppWatch::cancel_waits() {
  // Each wait ends at once with a "cancelled" outcome, which the book then ignores.
  for (auto& [seq, signal] : wait_signals_) signal.emit(asio::cancellation_type::terminal);
  waits_.drop_in_flight();
}

void AppWatch::update(AppWatchSettings settings) {
  if (settings.poll_interval != settings_.poll_interval) {
    // The backoff restarts from the new interval; the last list and lifecycles are kept.
    poll_state_.set_interval(settings.poll_interval);
    next_poll_at_ = std::min(next_poll_at_, last_poll_start_ + settings.poll_interval);
    timer_.cancel();
  }
  if (settings.target != settings_.target) {
    // A new runtime means a changed probe: earlier verdicts do not speak for it.
    ++probe_generation_;
    probes_.clear();
    app_probe_.in_flight = false;
    if (!settings.target) metrics_.fleet().clear_machine_probes(settings_.app.name);
  }
  // Waits sent with the old poller (another API URL or token) are asked again with the new one.
  if (settings.poller != settings_.poller) cancel_waits();
  fleet_.set_limits(limits_of(settings.app));
  settings_ = std::move(settings);
}

// The unnamed shared_ptr parameters keep the watch alive in the coroutine frame.
asio::awaitable<void> AppWatch::poll_loop(std::shared_ptr<AppWatch>) {
  while (!stopped_) {
    polling_ = true;
    last_poll_start_ = steady_clock::now();
    // The poller is held for the request: a reload may replace it meanwhile.
    std::shared_ptr<fly::MachinePoller> poller = settings_.poller;
    fly::PollOutcome outcome = co_await poller->poll(settings_.app.name);
    polling_ = false;
    if (stopped_) break;
    std::chrono::milliseconds delay = settings_.poll_interval;
    try {
      delay = handle_poll(outcome);
    } catch (const std::exception& e) {
      // Only allocation failure can get here; the loop must go on polling.
      log_.error("fly poll handling failed", {{"app", settings_.app.name}, {"error", e.what()}});
    }
    next_poll_at_ = last_poll_start_ + delay;
    if (poll_now_ && outcome.ok) next_poll_at_ = std::min(next_poll_at_, earliest_poll());
    poll_now_ = false;
    // poll_now() may move next_poll_at_ earlier and cancel the timer while this waits.
    while (!stopped_ && steady_clock::now() < next_poll_at_) {
      timer_.expires_at(next_poll_at_);
      co_await timer_.async_wait(asio::as_tuple(asio::use_awaitable));
    }
  }
}

std::chrono::milliseconds AppWatch::handle_poll(const fly::PollOutcome& outcome) {
  const auto now = system_clock::now();
  metrics_.fleet().count_api_request(settings_.app.name, outcome.code);
  const fly::PollDecision decision = poll_state_.on_outcome(outcome, now, jitter());
  if (outcome.ok) {
    if (!last_error_code_.empty()) {
      log_.info("fly api recovered", {{"app", settings_.app.name}});
      last_error_code_.clear();
    }
    for (const auto& w : outcome.warnings) {
      log_.debug("fly api answer skipped a field", {{"app", settings_.app.name}, {"error", w}});
    }
    on_poll(outcome, now);
  } else {
    // Once per kind of failure at warn; the states stay as last known.
    const bool news = outcome.code != last_error_code_;
    log_.write(news ? core::LogLevel::warn : core::LogLevel::debug, "fly api request failed",
               {{"app", settings_.app.name},
                {"code", outcome.code},
                {"error", outcome.message},
                {"retry_in_ms", std::to_string(decision.next_delay.count())}});
    last_error_code_ = outcome.code;
  }
  return decision.next_delay;
}

steady_clock::time_point AppWatch::earliest_poll() const {
  // An early poll (a wait answered) keeps a quarter second from the previous one: Fly's API
  // takes short bursts, and a wait that keeps answering cannot turn into a tight loop.
  return last_poll_start_ + std::min<std::chrono::milliseconds>(settings_.poll_interval,
                                                                std::chrono::milliseconds(250));
}

void AppWatch::poll_now() {
  if (polling_) {
    poll_now_ = true;  // applied when the poll in flight is done
    return;
  }
  next_poll_at_ = std::min(next_poll_at_, earliest_poll());
  timer_.cancel();
}

void AppWatch::watch_for_starts(system_clock::time_point now) {
  for (fly::WaitBook::Ticket& ticket : waits_.to_open(poll_state_.machines(), now)) {
    const std::uint64_t seq = ticket.seq;
    asio::cancellation_signal& signal = wait_signals_[seq];
    // The signal must outlive the coroutine bound to it: it goes only after co_spawn is done.
    auto done = [self = shared_from_this(), seq](std::exception_ptr) {
      asio::post(self->io_, [self, seq] { self->wait_signals_.erase(seq); });
    };
    asio::co_spawn(io_, wait_started(shared_from_this(), std::move(ticket)),
                   asio::bind_cancellation_slot(signal.slot(), std::move(done)));
  }
}

asio::awaitable<void> AppWatch::wait_started(std::shared_ptr<AppWatch>, fly::WaitBook::Ticket ticket) {
  std::shared_ptr<fly::MachinePoller> poller = settings_.poller;
  const fly::PollOutcome outcome =
      co_await poller->wait_started(settings_.app.name, ticket.machine, std::chrono::seconds(60));
  if (stopped_) co_return;
  const auto after = waits_.on_result(ticket, outcome, system_clock::now());
  if (after == fly::WaitBook::After::ignore) co_return;  // cancelled or replaced meanwhile
  metrics_.fleet().count_api_request(settings_.app.name, outcome.code);
  const core::LogFields fields{{"app", settings_.app.name}, {"machine", ticket.machine},
                               {"code", outcome.code}, {"error", outcome.message}};
  switch (after) {
    case fly::WaitBook::After::poll_now: poll_now(); break;
    // Not started within the timeout: the next poll asks again.
    case fly::WaitBook::After::timed_out: break;
    case fly::WaitBook::After::refused:
      log_.warn("fly api refused a wait; not asked again until the machine changes", fields);
      break;
    case fly::WaitBook::After::refused_again:
    case fly::WaitBook::After::failed: log_.debug("fly api wait failed", fields); break;
    case fly::WaitBook::After::ignore: break;
  }
}

void AppWatch::on_poll(const fly::PollOutcome& outcome, system_clock::time_point now) {
  for (const auto& m : outcome.machines) {
    regions_[m.id] = m.region;
    fly_states_[m.id] = m.state;
  }
  observe(now);
  // Forget what belongs to machines no longer tracked (gone or destroyed).
  std::erase_if(regions_, [&](const auto& kv) { return !fleet_.machines().contains(kv.first); });
  std::erase_if(fly_states_, [&](const auto& kv) { return !fleet_.machines().contains(kv.first); });
  watch_for_starts(now);
  const auto steady_now = steady_clock::now();
  sync_machine_probes(steady_now);
  apply_sleep_policy(steady_now);
}

void AppWatch::observe(system_clock::time_point now) {
  // Without one good list there is nothing to re-evaluate (an empty list would read as every
  // machine gone).
  if (!poll_state_.last_success()) return;
  std::map<std::string, core::OwnProbe> own;
  if (settings_.target) {
    for (const auto& m : poll_state_.machines()) {
      if (!core::probe_eligible(m)) continue;
      auto p = probes_.find(m.id);
      own[m.id] = p == probes_.end() ? core::OwnProbe::pending : p->second.tracker.verdict();
    }
  }
  const core::FleetUpdate update = fleet_.observe(poll_state_.machines(), own, now);
  report_fleet_update(settings_.app.name, update, fleet_, regions_, now, metrics_.fleet(), log_);
  if (update.asleep != asleep_) {
    asleep_ = update.asleep;
    log_.info(asleep_ ? "app asleep" : "app awake", {{"app", settings_.app.name}});
  }
  if (update.count(core::MachineState::healthy) > 0) wake_failed_ = false;
  // Machines not judged yet (started and awaiting their first own probe, or starting within the
  // cold-start SLO) may still turn healthy: their alerts wait (after a restart every machine is
  // briefly unjudged, and that must neither page nor resolve anything).
  AlertCenter::FleetVerdicts v;
  v.wake_failed = wake_failed_;
  int passing = 0, failing = 0;
  for (const auto& [id, lc] : fleet_.machines()) {
    const auto o = own.find(id);
    const core::OwnProbe verdict = o == own.end() ? core::OwnProbe::none : o->second;
    if (verdict == core::OwnProbe::passing) ++passing;
    if (verdict == core::OwnProbe::failing) ++failing;
    if ((lc.state() == core::MachineState::started && verdict == core::OwnProbe::pending) ||
        (lc.state() == core::MachineState::starting &&
         now - lc.since() < settings_.app.cold_start_slo)) {
      v.undecided.insert(id);
    }
  }
  if (settings_.target) {
    // The target through the app: down when every probed machine fails its own probe.
    v.target = settings_.target->cfg.name;
    if (passing > 0) {
      v.target_down = false;
    } else if (v.undecided.empty()) {
      v.target_down = failing > 0;
    }
    if (settings_.target->last_failure != core::FailureReason::none) {
      v.target_reason = std::string(core::to_string(settings_.target->last_failure));
    }
  }
  alerts_.observe_fleet(settings_.app.name, update, fleet_, regions_, v, now);
}

void AppWatch::sync_machine_probes(steady_clock::time_point now) {
  if (!settings_.target) return;
  const TargetRuntime& target = *settings_.target;
  // A machine that left started loses its verdict: its next start is judged afresh. So does
  // a cordoned one: the proxy sends it no traffic, so it is not probed (README).
  std::erase_if(probes_, [&](const auto& kv) {
    auto it = fleet_.machines().find(kv.first);
    return it == fleet_.machines().end() || !fly_started(it->second.state()) ||
           it->second.cordoned();
  });
  for (const auto& [id, lc] : fleet_.machines()) {
    if (!fly_started(lc.state()) || lc.cordoned()) continue;
    auto [slot, fresh] = probes_.try_emplace(id);
    MachineProbe& p = slot->second;
    // A new entry is a new start of the machine: results of probes sent before it do not count.
    if (fresh) p.token = ++probe_token_;
    p.tracker.set_failure_threshold(target.cfg.failure_threshold);
    if (p.in_flight) continue;
    // Until the verdict is known the machine is probed after every poll; then every interval.
    const bool due = !p.last_start || p.tracker.verdict() == core::OwnProbe::pending ||
                     now - *p.last_start >= target.cfg.interval;
    if (!due) continue;
    p.in_flight = true;
    p.last_start = now;
    net::ProbeSpec spec = target.spec;
    spec.headers.emplace_back("fly-force-instance-id", id);
    asio::co_spawn(io_, probe_machine(shared_from_this(), id, std::move(spec), p.token),
                   asio::detached);
  }
}

void AppWatch::apply_sleep_policy(steady_clock::time_point now) {
  const config::FlyApp& app = settings_.app;
  // wake_every counts time asleep: an app that users keep awake is not woken as soon as it sleeps.
  if (!asleep_) last_wake_ = now;
  if (!asleep_ || !settings_.target || app_probe_.in_flight) return;
  const TargetRuntime& target = *settings_.target;
  bool wake = false;
  if (app.when_asleep == config::WhenAsleep::probe) {
    if (app_probe_.last && now - app_probe_.last_start < target.cfg.interval) return;
  } else if (app.when_asleep == config::WhenAsleep::wake_every && app.wake_every) {
    if (now - last_wake_ < *app.wake_every) return;
    wake = true;
    last_wake_ = now;
  } else {
    return;  // skip: nothing is sent while every machine sleeps
  }
  app_probe_.in_flight = true;
  app_probe_.last_start = now;
  app_probe_.wake = wake;
  net::ProbeSpec spec = target.spec;
  // A wake-up includes a whole cold start: it gets the SLO on top of the probe's timeout.
  if (wake) spec.timeout += app.cold_start_slo;
  asio::co_spawn(io_, probe_app(shared_from_this(), std::move(spec), wake, probe_generation_),
                 asio::detached);
}

asio::awaitable<void> AppWatch::probe_machine(std::shared_ptr<AppWatch>, std::string id,
                                              net::ProbeSpec spec, std::uint64_t token) {
  const core::ProbeResult result = co_await prober_.probe(spec);
  if (stopped_ || !settings_.target) co_return;
  auto it = probes_.find(id);
  // Gone, stopped, restarted or re-targeted meanwhile: the result speaks for no current start.
  if (it == probes_.end() || it->second.token != token) co_return;
  MachineProbe& p = it->second;
  p.in_flight = false;
  const auto now = system_clock::now();
  const core::Verdict verdict =
      record_probe(*settings_.target, result, metrics_, log_, alerts_, machine_context(id));
  // During a cold start the proxy holds the request until the app listens, so the answer is as
  // slow as the rest of the boot: a right answer that is only too slow shows the app is ready
  // (the target's series still count the latency failure; the cold start metrics time it).
  auto lc = fleet_.machines().find(id);
  const bool booting = lc != fleet_.machines().end() && lc->second.cold_start().has_value();
  const bool ok = verdict.success || (booting && verdict.reason == core::FailureReason::latency);
  metrics_.fleet().set_machine_probe(settings_.app.name, id, regions_[id], ok);
  p.last = LastOutcome{verdict, result.http_status, result.total, now};
  if (p.tracker.observe(ok)) observe(now);
}

asio::awaitable<void> AppWatch::probe_app(std::shared_ptr<AppWatch>, net::ProbeSpec spec,
                                          bool wake, std::uint64_t generation) {
  const core::ProbeResult result = co_await prober_.probe(spec);
  if (stopped_ || generation != probe_generation_ || !settings_.target) co_return;
  app_probe_.in_flight = false;
  const auto now = system_clock::now();
  const core::Verdict verdict = record_probe(*settings_.target, result, metrics_, log_, alerts_,
                                             {{"app", settings_.app.name}});
  app_probe_.last = LastOutcome{verdict, result.http_status, result.total, now};
  if (!wake) co_return;
  wake_failed_ = !verdict.success;
  observe(now);  // AppNoHealthyMachines follows a failed wake-up at once
  if (verdict.success) {
    metrics_.fleet().observe_wake_latency(settings_.app.name,
                                          std::chrono::duration<double>(result.total).count());
    log_.info("app woken", {{"app", settings_.app.name}, {"duration_ms", ms_text(result.total)}});
  } else {
    log_.warn("wake-up failed", {{"app", settings_.app.name},
                                 {"reason", std::string(core::to_string(verdict.reason))},
                                 {"error", verdict.detail},
                                 {"duration_ms", ms_text(result.total)}});
  }
}

core::LogFields AppWatch::machine_context(const std::string& id) const {
  auto r = regions_.find(id);
  return {{"app", settings_.app.name},
          {"machine", id},
          {"region", r == regions_.end() ? std::string() : r->second}};
}

boost::json::object AppWatch::status() const {
  boost::json::object o;
  o["name"] = settings_.app.name;
  o["target"] = settings_.app.target.empty() ? boost::json::value(nullptr)
                                              : boost::json::value(settings_.app.target);
  o["when_asleep"] = std::string(to_string(settings_.app.when_asleep));
  o["asleep"] = asleep_;
  boost::json::object api;
  if (auto t = poll_state_.last_success()) {
    api["last_success"] = core::format_rfc3339_ms(*t);
  } else {
    api["last_success"] = nullptr;
  }
  api["last_error_code"] = poll_state_.last_error_code();
  api["last_error"] = poll_state_.last_error();
  api["consecutive_failures"] = poll_state_.consecutive_failures();
  o["api"] = std::move(api);
  if (settings_.app.when_asleep != config::WhenAsleep::skip) {
    o["last_app_probe"] = outcome_json(app_probe_.last);
  }
  boost::json::array machines;
  for (const auto& [id, lc] : fleet_.machines()) {
    boost::json::object m;
    m["id"] = id;
    auto r = regions_.find(id);
    m["region"] = r == regions_.end() ? std::string() : r->second;
    auto f = fly_states_.find(id);
    m["fly_state"] = f == fly_states_.end() ? std::string() : f->second;
    m["state"] = std::string(core::to_string(lc.state()));
    m["reason"] = lc.reason();
    m["since"] = core::format_rfc3339_ms(lc.since());
    if (const auto& ep = lc.cold_start()) {
      m["cold_start"] = boost::json::object{{"kind", std::string(core::to_string(ep->kind))},
                                            {"start", core::format_rfc3339_ms(ep->start)},
                                            {"slow", ep->slow}};
    } else {
      m["cold_start"] = nullptr;
    }
    auto p = probes_.find(id);
    if (p != probes_.end()) {
      m["probe"] = std::string(to_string(p->second.tracker.verdict()));
      m["last_probe"] = outcome_json(p->second.last);
    } else {
      m["probe"] = settings_.target ? "not probed" : "none";
      m["last_probe"] = nullptr;
    }
    machines.push_back(std::move(m));
  }
  o["machines"] = std::move(machines);
  return o;
}

}  // namespace flywatch::engine
