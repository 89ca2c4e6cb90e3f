#include "gate/gate_runner.hpp"

#include <algorithm>
#include <map>
#include <optional>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "core/gate_wait.hpp"
#include "core/journey_route.hpp"
#include "core/machine_state.hpp"
#include "engine/probe_plan.hpp"
#include "fly/machine_poller.hpp"
#include "journey/journey_runner.hpp"

namespace flywatch::gate {

namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;

namespace {

struct GateRun {
  const config::Config& cfg;
  net::Prober& prober;
  std::optional<fly::MachinePoller> poller;
  const GateProgress& progress;
  GateResult result;
};

const config::Target& target_named(const config::Config& cfg, const std::string& name) {
  return *std::find_if(cfg.targets.begin(), cfg.targets.end(),
                       [&](const config::Target& t) { return t.name == name; });
}

const config::Journey& journey_named(const config::Config& cfg, const std::string& name) {
  return *std::find_if(cfg.journeys.begin(), cfg.journeys.end(),
                       [&](const config::Journey& j) { return j.name() == name; });
}

GateCase skipped_case(std::string name, const std::string& why) {
  GateCase c;
  c.name = std::move(name);
  c.skipped = true;
  c.skip_why = why;
  return c;
}

// The target and journey-step cases of a phase, in order, all skipped for `why`.
std::vector<GateCase> planned_checks(const config::Config& cfg, const config::GatePhase& p,
                                     const std::string& why) {
  std::vector<GateCase> out;
  for (const auto& t : p.targets) out.push_back(skipped_case("target " + t, why));
  for (const auto& j : p.journeys) {
    for (const auto& step : journey_named(cfg, j).spec.steps) {
      out.push_back(skipped_case("journey " + j + " step " + step.name, why));
    }
  }
  return out;
}

// Every case a phase would run, in order, all skipped for `why`.
std::vector<GateCase> planned_cases(const config::Config& cfg, const config::GatePhase& p,
                                    const std::string& why) {
  std::vector<GateCase> out;
  for (const auto& app : p.apps) {
    if (p.wake) out.push_back(skipped_case("wake " + app, why));
  }
  for (const auto& app : p.apps) {
    if (p.wait_healthy) out.push_back(skipped_case("wait_healthy " + app, why));
  }
  for (GateCase& c : planned_checks(cfg, p, why)) out.push_back(std::move(c));
  return out;
}

GateCase failed_case(std::string name, std::string reason, std::string message,
                     std::chrono::nanoseconds duration) {
  GateCase c;
  c.name = std::move(name);
  c.reason = std::move(reason);
  c.message = std::move(message);
  c.duration = duration;
  return c;
}

GateCase passed_case(std::string name, std::string message, std::chrono::nanoseconds duration) {
  GateCase c;
  c.name = std::move(name);
  c.passed = true;
  c.message = std::move(message);
  c.duration = duration;
  return c;
}

void record(GateRun& run, GatePhaseResult& phase, GateCase c) {
  phase.cases.push_back(std::move(c));
  if (run.progress.case_ended) run.progress.case_ended(phase, phase.cases.back());
}

asio::awaitable<void> pause(std::chrono::milliseconds d) {
  asio::steady_timer timer(co_await asio::this_coro::executor, d);
  co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
}

bool wakeable(const core::MachineSnapshot& m) {
  return core::asleep_state(core::base_state(m.state)) &&
         !core::is_ignored_process_group(m.process_group) && m.standbys.empty();
}

// `wake`: starts each stopped or suspended machine of `app`.
asio::awaitable<bool> wake_app(GateRun& run, GatePhaseResult& phase, const std::string& app) {
  const auto start = Clock::now();
  const std::string name = "wake " + app;
  const fly::PollOutcome list = co_await run.poller->poll(app);
  if (!list.ok) {
    record(run, phase, failed_case(name, "fly_api", list.message, Clock::now() - start));
    co_return false;
  }
  int started = 0;
  for (const core::MachineSnapshot& m : list.machines) {
    if (!wakeable(m)) continue;
    const fly::PollOutcome r = co_await run.poller->start_machine(app, m.id);
    if (!r.ok) {
      record(run, phase, failed_case(name, "fly_api", r.message, Clock::now() - start));
      co_return false;
    }
    ++started;
  }
  record(run, phase,
         passed_case(name, "started " + std::to_string(started) +
                               (started == 1 ? " machine" : " machines"),
                     Clock::now() - start));
  co_return true;
}

// `wait_healthy`: polls `app` until judge_gate_wait says healthy or failed, or `deadline`.
asio::awaitable<bool> wait_app(GateRun& run, GatePhaseResult& phase, const std::string& app,
                               Clock::time_point deadline, std::int64_t since_ms,
                               std::chrono::milliseconds every) {
  const auto start = Clock::now();
  const std::string name = "wait_healthy " + app;
  std::string last = "no answer from the Machines API yet";
  for (;;) {
    // With the destroyed machines: Fly destroys a release command right after it exits.
    const fly::PollOutcome list = co_await run.poller->poll(app, true);
    if (list.ok) {
      const core::GateWaitVerdict v = core::judge_gate_wait(list.machines, since_ms);
      if (v.kind == core::GateWaitVerdict::Kind::healthy) {
        record(run, phase,
               passed_case(name, std::to_string(v.healthy) + "/" + std::to_string(v.total) +
                                     " machines healthy",
                           Clock::now() - start));
        co_return true;
      }
      if (v.kind == core::GateWaitVerdict::Kind::failed) {
        record(run, phase, failed_case(name, "failed", v.detail, Clock::now() - start));
        co_return false;
      }
      last = std::to_string(v.healthy) + "/" + std::to_string(v.total) + " healthy (" + v.detail + ")";
    } else {
      last = list.message;
    }
    if (Clock::now() + every >= deadline) break;
    co_await pause(every);
  }
  record(run, phase, failed_case(name, "timeout", "not healthy in time: " + last, Clock::now() - start));
  co_return false;
}

asio::awaitable<bool> probe_target(GateRun& run, GatePhaseResult& phase, const config::Target& t) {
  const core::ProbeResult result = co_await run.prober.probe(engine::make_probe_spec(t));
  const core::Verdict v = core::evaluate(result, t.expect, std::chrono::system_clock::now());
  const std::string name = "target " + t.name;
  if (v.success) {
    const auto status = result.status_code();
    record(run, phase, passed_case(name, status ? std::to_string(*status) : "", result.total));
    co_return true;
  }
  record(run, phase, failed_case(name, std::string(core::to_string(v.reason)), v.detail, result.total));
  co_return false;
}

// The machine a journey bound to `app` runs through: the gate may wake an app (it is run on
// purpose, before users come), so an asleep app's journey goes through its public URL.
asio::awaitable<core::JourneyRoute> route_for(GateRun& run, const std::string& app) {
  const fly::PollOutcome list = co_await run.poller->poll(app);
  if (!list.ok) co_return core::JourneyRoute{core::JourneyRoute::Kind::public_url, {}, {}};
  std::map<std::string, core::MachineState> states;
  for (const core::MachineSnapshot& m : list.machines) {
    if (core::is_ignored_process_group(m.process_group)) continue;
    states.emplace(m.id, core::lifecycle_state(m, core::OwnProbe::none));
  }
  core::JourneyRoute route = core::route_journey(states, true, core::AsleepAction::probe);
  if (route.kind == core::JourneyRoute::Kind::skip) route.kind = core::JourneyRoute::Kind::public_url;
  co_return route;
}

asio::awaitable<bool> run_journey_case(GateRun& run, GatePhaseResult& phase, const config::Journey& j) {
  std::string machine;
  if (!j.app.empty() && run.poller) {
    const core::JourneyRoute route = co_await route_for(run, j.app);
    if (route.kind == core::JourneyRoute::Kind::machine) machine = route.machine;
  }
  const journey::JourneyOutcome o = co_await journey::run_journey(run.prober, j.spec, machine);
  const std::string prefix = "journey " + j.name() + " step ";
  for (const core::StepReport& s : o.steps) {
    if (s.verdict.success) {
      record(run, phase, passed_case(prefix + s.name, s.status ? std::to_string(*s.status) : "", s.duration));
    } else {
      record(run, phase, failed_case(prefix + s.name, std::string(core::to_string(s.verdict.reason)),
                                     s.verdict.detail, s.duration));
    }
  }
  for (std::size_t i = o.steps.size(); i < j.spec.steps.size(); ++i) {
    record(run, phase, skipped_case(prefix + j.spec.steps[i].name, "an earlier step failed"));
  }
  co_return o.passed;
}

asio::awaitable<void> run_phase(GateRun& run, const config::GatePhase& p, GatePhaseResult& phase) {
  const auto start = Clock::now();
  const std::int64_t since_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                                    std::chrono::system_clock::now().time_since_epoch())
                                    .count();
  bool ok = true;
  if (p.wake) {
    for (const auto& app : p.apps) ok = (co_await wake_app(run, phase, app)) && ok;
  }
  if (ok && p.wait_healthy) {
    const auto deadline = start + *p.wait_healthy;
    const auto every = std::clamp<std::chrono::milliseconds>(run.cfg.fly->poll_interval,
                                                             std::chrono::milliseconds(250),
                                                             std::chrono::milliseconds(2000));
    for (const auto& app : p.apps) {
      if (!ok) break;
      ok = co_await wait_app(run, phase, app, deadline, since_ms, every);
    }
  }
  if (ok) {
    for (const auto& t : p.targets) ok = (co_await probe_target(run, phase, target_named(run.cfg, t))) && ok;
    for (const auto& j : p.journeys) ok = (co_await run_journey_case(run, phase, journey_named(run.cfg, j))) && ok;
  } else {
    // The apps are not up: probing them now says nothing the failure above has not said.
    for (GateCase& c : planned_checks(run.cfg, p, "the phase's apps are not healthy")) {
      record(run, phase, std::move(c));
    }
  }
  phase.ran = true;
  phase.passed = ok;
  phase.duration = Clock::now() - start;
}

asio::awaitable<void> run_phases(GateRun& run, std::vector<const config::GatePhase*> phases) {
  for (const config::GatePhase* p : phases) {
    GatePhaseResult& phase = run.result.phases.emplace_back();
    phase.name = p->name;
    if (run.result.failed_phase() != nullptr) {
      phase.cases = planned_cases(run.cfg, *p, "an earlier phase failed");
      if (run.progress.phase_ended) run.progress.phase_ended(phase);
      continue;
    }
    if (run.progress.phase_started) run.progress.phase_started(phase);
    co_await run_phase(run, *p, phase);
    if (run.progress.phase_ended) run.progress.phase_ended(phase);
  }
}

}  // namespace

GateResult run_gate(asio::io_context& io, net::Prober& prober, net::HttpClient& http,
                    const config::Config& cfg, const std::string& only_phase,
                    const GateProgress& progress) {
  GateRun run{cfg, prober, std::nullopt, progress, {}};
  if (cfg.fly) {
    fly::FlyApiConfig api;
    api.api_url = cfg.fly->api_url;
    api.token = cfg.fly->token;
    run.poller.emplace(std::move(api), http);
  }
  std::vector<const config::GatePhase*> phases;
  for (const config::GatePhase& p : cfg.gate->phases) {
    if (only_phase.empty() || p.name == only_phase) phases.push_back(&p);
  }
  asio::co_spawn(io, run_phases(run, std::move(phases)), asio::detached);
  io.run();
  io.restart();
  return std::move(run.result);
}

}  // namespace flywatch::gate
