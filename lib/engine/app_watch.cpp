#include "engine/app_watch.hpp"

#include <random>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "core/duration.hpp"
#include "core/fleet_judgement.hpp"
#include "core/log_line.hpp"
#include "engine/outcome_json.hpp"
#include "engine/fly_probe.hpp"
#include "engine/probe_record.hpp"

namespace flywatch::engine {

namespace asio = boost::asio;
using std::chrono::steady_clock;
using std::chrono::system_clock;

namespace {

double jitter() {
  static thread_local std::minstd_rand gen{std::random_device{}()};
  return std::uniform_real_distribution<double>(0.0, 1.0)(gen);
}

std::string_view to_string(config::WhenAsleep w) {
  switch (w) {
    case config::WhenAsleep::skip: return "skip";
    case config::WhenAsleep::probe: return "probe";
    case config::WhenAsleep::wake_every: return "wake_every";
  }
  return "skip";
}

}  // namespace

AppWatch::AppWatch(asio::io_context& io, AppWatchSettings settings, net::Prober& prober,
                   const EventBus& events)
    : io_(io),
      settings_(std::move(settings)),
      prober_(prober),
      events_(events),
      timer_(io),
      schedule_(settings_.poll_interval),
      poll_state_(settings_.poll_interval),
      fleet_(lifecycle_limits(settings_.app)),
      sleep_(steady_clock::now()),
      releases_(std::make_shared<AppReleases>(io, settings_.app.name, events)) {}

void AppWatch::start() {
  asio::co_spawn(io_, poll_loop(shared_from_this()), asio::detached);
}

void AppWatch::stop() {
  stopped_ = true;
  releases_->stop();
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
  if (schedule_.set_interval(settings.poll_interval)) {
    // The backoff restarts from the new interval; the last list and lifecycles are kept.
    poll_state_.set_interval(settings.poll_interval);
    timer_.cancel();
  }
  if (settings.target != settings_.target) {
    // A new runtime means a changed probe: earlier verdicts do not speak for it.
    ++probe_generation_;
    probes_.clear();
    machine_last_.clear();
    sleep_.drop_in_flight();
    if (!settings.target) events_.publish(MachineProbesCleared{settings_.app.name});
  }
  // Waits sent with the old poller (another API URL or token) are asked again with the new one.
  if (settings.poller != settings_.poller) cancel_waits();
  fleet_.set_limits(lifecycle_limits(settings.app));
  settings_ = std::move(settings);
}

// The unnamed shared_ptr parameters keep the watch alive in the coroutine frame.
asio::awaitable<void> AppWatch::poll_loop(std::shared_ptr<AppWatch>) {
  while (!stopped_) {
    schedule_.started(steady_clock::now());
    // The poller is held for the request: a reload may replace it meanwhile.
    std::shared_ptr<fly::MachinePoller> poller = settings_.poller;
    fly::PollOutcome outcome = co_await poller->poll(settings_.app.name);
    schedule_.list_ended();
    if (stopped_) break;
    std::chrono::milliseconds delay = settings_.poll_interval;
    try {
      delay = handle_poll(outcome);
    } catch (const std::exception& e) {
      // Only allocation failure can get here; the loop must go on polling.
      const core::LogFields fields{{"app", settings_.app.name}, {"error", e.what()}};
      events_.publish(Notice{core::LogLevel::error, "fly poll handling failed", fields});
    }
    schedule_.plan_next(outcome.ok, delay);
    // poll_now() may move the next list earlier and cancel the timer while this waits.
    while (!stopped_ && steady_clock::now() < schedule_.next()) {
      timer_.expires_at(schedule_.next());
      co_await timer_.async_wait(asio::as_tuple(asio::use_awaitable));
    }
  }
}

std::chrono::milliseconds AppWatch::handle_poll(const fly::PollOutcome& outcome) {
  const auto now = system_clock::now();
  const std::string& app = settings_.app.name;
  events_.publish(FlyApiAnswered{app, outcome.code});
  const fly::PollDecision decision = poll_state_.on_outcome(outcome, now, jitter());
  if (outcome.ok) {
    if (!last_error_code_.empty()) {
      events_.publish(FlyApiRecovered{app});
      last_error_code_.clear();
    }
    for (const auto& w : outcome.warnings) events_.publish(FlyApiFieldSkipped{app, w});
    on_poll(outcome, now);
  } else {
    // The states stay as last known; a repeated failure is no news.
    const bool news = outcome.code != last_error_code_;
    events_.publish(FlyApiFailed{app, outcome.code, outcome.message, decision.next_delay, news});
    last_error_code_ = outcome.code;
  }
  return decision.next_delay;
}

void AppWatch::poll_now() {
  if (schedule_.poll_now()) timer_.cancel();
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
  const std::string& app = settings_.app.name;
  events_.publish(FlyApiAnswered{app, outcome.code});
  const auto failed = [&](bool refused) {
    events_.publish(FlyWaitFailed{app, ticket.machine, outcome.code, outcome.message, refused});
  };
  switch (after) {
    case fly::WaitBook::After::poll_now: poll_now(); break;
    // Not started within the timeout: the next poll asks again.
    case fly::WaitBook::After::timed_out: break;
    case fly::WaitBook::After::refused:
      failed(true);  // not asked again until the machine changes
      break;
    case fly::WaitBook::After::refused_again:
    case fly::WaitBook::After::failed: failed(false); break;
    case fly::WaitBook::After::ignore: break;
  }
}

void AppWatch::on_poll(const fly::PollOutcome& outcome, system_clock::time_point now) {
  for (const auto& m : outcome.machines) {
    regions_[m.id] = m.region;
    fly_states_[m.id] = m.state;
  }
  observe(now);
  releases_->on_list(outcome.machines, settings_.poller, now);
  // Forget what belongs to machines no longer tracked (gone or destroyed).
  std::erase_if(regions_, [&](const auto& kv) { return !fleet_.machines().contains(kv.first); });
  std::erase_if(fly_states_, [&](const auto& kv) { return !fleet_.machines().contains(kv.first); });
  watch_for_starts(now);
  const auto steady_now = steady_clock::now();
  send_machine_probes(steady_now);
  send_app_probe(steady_now);
}

void AppWatch::observe(system_clock::time_point now) {
  // Without one good list there is nothing to re-evaluate (an empty list would read as every
  // machine gone).
  if (!poll_state_.last_success()) return;
  const auto& machines = poll_state_.machines();
  std::map<std::string, core::OwnProbe> own;
  if (settings_.target) own = probes_.verdicts(machines);
  const core::FleetUpdate update = fleet_.observe(machines, own, now);
  std::optional<bool> asleep_changed;
  if (update.asleep != asleep_) {
    asleep_ = update.asleep;
    asleep_changed = asleep_;
  }
  if (update.count(core::MachineState::healthy) > 0) sleep_.machine_healthy();
  // Machines not judged yet may still turn healthy: their alerts wait (core::judge_fleet).
  core::FleetJudgement judged = core::judge_fleet(fleet_, own, settings_.target != nullptr,
                                                  settings_.app.cold_start_slo, now);
  FleetVerdicts v;
  v.undecided = std::move(judged.undecided);
  v.wake_failed = sleep_.wake_failed();
  if (settings_.target) {
    v.target = settings_.target->cfg.name;
    v.target_down = judged.target_down;
    if (settings_.target->last_failure() != core::FailureReason::none) {
      v.target_reason = std::string(core::to_string(settings_.target->last_failure()));
    }
  }
  // Metrics, then the lines of the update and of the app's sleep, then the alert judgement.
  events_.publish(FleetUpdated{settings_.app.name, update, fleet_, regions_, v, asleep_changed, now});
}

void AppWatch::send_machine_probes(steady_clock::time_point now) {
  if (!settings_.target) return;
  const TargetRuntime& target = *settings_.target;
  for (core::MachineProbeOrder& order :
       probes_.due(poll_state_.machines(), target.cfg.failure_threshold, target.cfg.interval, now)) {
    net::ProbeSpec spec = machine_probe_spec(target.spec, order.machine);
    asio::co_spawn(io_, probe_machine(shared_from_this(), std::move(order), std::move(spec)),
                   asio::detached);
  }
  // What belongs to a machine the book forgot (gone, stopped, cordoned) goes with it.
  std::erase_if(machine_last_, [&](const auto& kv) { return !probes_.tracks(kv.first); });
}

void AppWatch::send_app_probe(steady_clock::time_point now) {
  const TargetRuntime* target = settings_.target.get();
  const auto order = sleep_.on_list(
      asleep_, target != nullptr,
      sleep_settings(settings_.app, target ? target->cfg.interval : std::chrono::milliseconds(0)),
      now);
  if (!order) return;
  net::ProbeSpec spec = target->spec;
  spec.timeout += order->extra_timeout;
  asio::co_spawn(io_, probe_app(shared_from_this(), std::move(spec), order->wake, probe_generation_),
                 asio::detached);
}

asio::awaitable<void> AppWatch::probe_machine(std::shared_ptr<AppWatch>,
                                              core::MachineProbeOrder order, net::ProbeSpec spec) {
  const core::ProbeResult result = co_await prober_.probe(spec);
  // Gone, stopped, restarted or re-targeted meanwhile: the result speaks for no current start.
  const auto stale = [&] {
    return stopped_ || !settings_.target || !probes_.current(order.machine, order.token);
  };
  if (stale()) co_return;
  const std::string& id = order.machine;
  const auto now = system_clock::now();
  const core::Verdict verdict = co_await evaluate_off_loop(result, settings_.target->cfg.expect, now);
  if (stale()) co_return;
  record_verdict(*settings_.target, result, verdict, now, events_, machine_context(id));
  // A cold start in progress tolerates a right but slow answer (core::own_probe_passed).
  auto lc = fleet_.machines().find(id);
  const bool booting = lc != fleet_.machines().end() && lc->second.cold_start().has_value();
  const bool ok = core::own_probe_passed(verdict, booting);
  events_.publish(MachineProbed{settings_.app.name, id, regions_[id], ok});
  machine_last_[id] = last_outcome(verdict, result, result.http_status, now);
  if (probes_.on_result(id, order.token, ok)) observe(now);
}

asio::awaitable<void> AppWatch::probe_app(std::shared_ptr<AppWatch>, net::ProbeSpec spec,
                                          bool wake, std::uint64_t generation) {
  const core::ProbeResult result = co_await prober_.probe(spec);
  const auto stale = [&] { return stopped_ || generation != probe_generation_ || !settings_.target; };
  if (stale()) co_return;
  const auto now = system_clock::now();
  const core::LogFields context{{"app", settings_.app.name}};
  const core::Verdict verdict = co_await evaluate_off_loop(result, settings_.target->cfg.expect, now);
  if (stale()) co_return;
  record_verdict(*settings_.target, result, verdict, now, events_, context);
  sleep_.on_result(wake, verdict.success);
  app_last_ = last_outcome(verdict, result, result.http_status, now);
  if (!wake) co_return;
  observe(now);  // AppNoHealthyMachines follows a failed wake-up at once
  events_.publish(AppWakeEnded{settings_.app.name, verdict, result.total});
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
  o["release"] = releases_->status();
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
    o["last_app_probe"] = outcome_json(app_last_);
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
    if (const auto verdict = probes_.verdict(id)) {
      m["probe"] = std::string(core::to_string(*verdict));
      auto last = machine_last_.find(id);
      m["last_probe"] =
          outcome_json(last == machine_last_.end() ? std::nullopt : std::optional(last->second));
    } else {
      m["probe"] = settings_.target ? "not probed" : "none";
      m["last_probe"] = nullptr;
    }
    machines.push_back(std::move(m));
  }
  o["machines"] = std::move(machines);
  return o;
}

core::JourneyRoute AppWatch::journey_route() const {
  std::map<std::string, core::MachineState> states;
  for (const auto& [id, lc] : fleet_.machines()) states.emplace(id, lc.state());
  return core::route_journey(states, asleep_, sleep_settings(settings_.app, {}).action);
}

}  // namespace flywatch::engine
