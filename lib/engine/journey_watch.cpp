#include "engine/journey_watch.hpp"

#include <tuple>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "core/duration.hpp"
#include "core/log_line.hpp"
#include "core/schedule.hpp"
#include "engine/outcome_json.hpp"
#include "engine/probe_plan.hpp"

namespace flywatch::engine {

namespace asio = boost::asio;
using std::chrono::steady_clock;

namespace {

bool same_step(const core::JourneyStep& a, const core::JourneyStep& b) {
  return std::tie(a.name, a.method, a.path, a.headers, a.json, a.body, a.extract) ==
             std::tie(b.name, b.method, b.path, b.headers, b.json, b.body, b.extract) &&
         same_expectation(a.expect, b.expect);
}

}  // namespace

bool same_journey(const config::Journey& a, const config::Journey& b) {
  const core::JourneySpec& x = a.spec;
  const core::JourneySpec& y = b.spec;
  if (std::tie(a.base_url, a.app, x.name, x.base, x.variables, x.secret_variables, x.timeout,
               x.max_body_bytes) != std::tie(b.base_url, b.app, y.name, y.base, y.variables,
                                             y.secret_variables, y.timeout, y.max_body_bytes) ||
      x.steps.size() != y.steps.size()) {
    return false;
  }
  for (std::size_t i = 0; i < x.steps.size(); ++i) {
    if (!same_step(x.steps[i], y.steps[i])) return false;
  }
  return true;
}

JourneyWatch::JourneyWatch(asio::io_context& io, config::Journey cfg, std::shared_ptr<AppWatch> app,
                           net::Prober& prober, const EventBus& events)
    : io_(io),
      runtime_(std::make_shared<JourneyRuntime>(std::move(cfg))),
      app_(std::move(app)),
      prober_(prober),
      events_(events),
      timer_(io) {}

void JourneyWatch::start() { asio::co_spawn(io_, loop(shared_from_this()), asio::detached); }

void JourneyWatch::stop() {
  stopped_ = true;
  timer_.cancel();
}

void JourneyWatch::update(const config::Journey& cfg, std::shared_ptr<AppWatch> app) {
  // Only what same_journey lets differ: the spec a run in flight reads stays as it is.
  const bool interval_changed = runtime_->cfg.interval != cfg.interval;
  runtime_->cfg.interval = cfg.interval;
  runtime_->cfg.failure_threshold = cfg.failure_threshold;
  runtime_->cfg.success_threshold = cfg.success_threshold;
  runtime_->cfg.line = cfg.line;
  runtime_->set_thresholds(cfg.failure_threshold, cfg.success_threshold);
  app_ = std::move(app);
  if (interval_changed) timer_.cancel();  // the loop re-arms for the new interval
}

asio::awaitable<void> JourneyWatch::loop(std::shared_ptr<JourneyWatch> self) {
  (void)self;  // keeps the watch alive while the loop runs
  auto interval = std::chrono::duration_cast<std::chrono::nanoseconds>(runtime_->cfg.interval);
  auto due = steady_clock::now() + core::first_run_offset(runtime_->cfg.name(), interval);
  while (!stopped_) {
    timer_.expires_at(due);
    co_await timer_.async_wait(asio::as_tuple(asio::use_awaitable));
    if (stopped_) break;
    const auto current = std::chrono::duration_cast<std::chrono::nanoseconds>(runtime_->cfg.interval);
    if (current != interval) {
      // A reload changed the interval: the next run comes no later than the new one allows.
      interval = current;
      due = std::min(due, steady_clock::now() + interval);
      continue;
    }
    if (steady_clock::now() < due) continue;  // woken early by a cancel
    co_await run_once();
    due = core::next_run(due, interval, steady_clock::now()).due;
  }
}

asio::awaitable<void> JourneyWatch::run_once() {
  const std::shared_ptr<JourneyRuntime> rt = runtime_;
  core::LogFields context;
  std::string machine;
  if (app_) {
    const core::JourneyRoute route = app_->journey_route();
    if (route.kind == core::JourneyRoute::Kind::skip) {
      rt->skipped(route.why);
      co_return;
    }
    context.emplace_back("app", rt->cfg.app);
    if (route.kind == core::JourneyRoute::Kind::machine) {
      machine = route.machine;
      context.emplace_back("machine", machine);
    }
  }
  rt->ran();
  journey::JourneyOutcome outcome = co_await journey::run_journey(prober_, rt->cfg.spec, machine);
  if (stopped_) co_return;
  const auto now = std::chrono::system_clock::now();
  const JourneyRecording rec = rt->record(std::move(outcome), machine, now);
  const journey::JourneyOutcome& recorded = rt->last()->outcome;
  std::optional<TargetStateChanged> change;
  if (rec.change) {
    change = TargetStateChanged{rec.change->from, rec.change->to,
                                recorded.passed ? std::nullopt : std::optional(recorded.verdict.reason)};
  }
  events_.publish(JourneyRecorded{*rt, recorded, context, rec.previous_failure, change, now});
}

boost::json::object JourneyWatch::status() const {
  const JourneyRuntime& rt = *runtime_;
  boost::json::object o;
  o["name"] = rt.cfg.name();
  o["state"] = std::string(core::to_string(rt.health().state()));
  if (rt.health().state() != core::TargetState::unknown) {
    o["since"] = core::format_rfc3339_ms(rt.health().since());
  } else {
    o["since"] = nullptr;
  }
  o["consecutive_failures"] = rt.health().consecutive_failures();
  o["interval_seconds"] = core::to_seconds(rt.cfg.interval);
  o["app"] = rt.cfg.app.empty() ? boost::json::value(nullptr) : boost::json::value(rt.cfg.app);
  o["skipped"] = rt.skipped_why().empty() ? boost::json::value(nullptr)
                                          : boost::json::value(rt.skipped_why());
  o["last"] = journey_outcome_json(rt.last());
  return o;
}

}  // namespace flywatch::engine
