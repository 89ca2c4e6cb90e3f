// SleepPolicy: when an asleep app's public URL is probed or the app woken; on a fake clock.
#include "core/sleep_policy.hpp"

#include <doctest.h>

#include <vector>

using namespace std::chrono_literals;
using flywatch::core::AsleepAction;
using flywatch::core::SleepPolicy;
using flywatch::core::SleepSettings;
using St = std::chrono::steady_clock::time_point;

namespace {
const St s0 = St{} + 1000s;

SleepSettings settings(AsleepAction action) {
  SleepSettings s;
  s.action = action;
  s.probe_interval = 200ms;
  if (action == AsleepAction::wake_every) s.wake_every = 150ms;
  s.cold_start_slo = 10s;
  return s;
}

// Lists every 40 ms from s0 to s0 + `span`, the app asleep from `asleep_from`; each probe answers
// (success) before the next list. Returns when probes were sent, as offsets from s0.
std::vector<std::chrono::milliseconds> run(SleepPolicy& p, const SleepSettings& s,
                                           std::chrono::milliseconds span,
                                           std::chrono::milliseconds asleep_from = 0ms) {
  std::vector<std::chrono::milliseconds> sent;
  for (auto t = 0ms; t <= span; t += 40ms) {
    if (auto order = p.on_list(t >= asleep_from, true, s, s0 + t)) {
      sent.push_back(t);
      p.on_result(order->wake, true);
    }
  }
  return sent;
}
}  // namespace

TEST_CASE("SleepPolicy: skip sends nothing while the app sleeps; nothing is sent while awake") {
  SleepPolicy skip(s0);
  CHECK(run(skip, settings(AsleepAction::skip), 2000ms).empty());
  SleepPolicy awake(s0);
  CHECK(run(awake, settings(AsleepAction::probe), 2000ms, 10s).empty());
  SleepPolicy no_target(s0);
  CHECK_FALSE(no_target.on_list(true, false, settings(AsleepAction::probe), s0));
}

TEST_CASE("SleepPolicy: probe probes the public URL at once, then at the target's interval") {
  SleepPolicy p(s0);
  const auto sent = run(p, settings(AsleepAction::probe), 500ms);
  // Lists at 0, 40, …, 480 ms; interval 200 ms.
  CHECK(sent == std::vector<std::chrono::milliseconds>{0ms, 200ms, 400ms});
  SleepPolicy q(s0);
  const auto order = q.on_list(true, true, settings(AsleepAction::probe), s0);
  REQUIRE(order);
  CHECK_FALSE(order->wake);
  CHECK(order->extra_timeout == 0ms);
  // Never two at once, however long the probe takes.
  CHECK_FALSE(q.on_list(true, true, settings(AsleepAction::probe), s0 + 1s));
  q.on_result(false, false);
  CHECK_FALSE(q.wake_failed());  // only a wake-up judges the app
  CHECK(q.on_list(true, true, settings(AsleepAction::probe), s0 + 1s));
}

TEST_CASE("SleepPolicy: wake_every wakes no sooner than its period, and once per period") {
  SleepPolicy p(s0);
  const auto sent = run(p, settings(AsleepAction::wake_every), 500ms);
  // Not before wake_every (150 ms) has passed; then once per 150 ms at most.
  CHECK(sent == std::vector<std::chrono::milliseconds>{160ms, 320ms, 480ms});
  SleepPolicy q(s0);
  const auto order = q.on_list(true, true, settings(AsleepAction::wake_every), s0 + 150ms);
  REQUIRE(order);
  CHECK(order->wake);
  CHECK(order->extra_timeout == 10s);  // a wake-up includes a whole cold start
}

TEST_CASE("SleepPolicy: wake_every counts time asleep, not time since the last wake") {
  SleepPolicy p(s0);
  // Awake for two wake_every periods, then asleep from 320 ms: the first wake comes 150 ms
  // after the last list that found the app awake (280 ms), not at once.
  const auto sent = run(p, settings(AsleepAction::wake_every), 800ms, 320ms);
  REQUIRE_FALSE(sent.empty());
  CHECK(sent.front() == 440ms);
  CHECK(sent == std::vector<std::chrono::milliseconds>{440ms, 600ms, 760ms});
}

TEST_CASE("SleepPolicy: a failed wake-up holds until a machine is healthy") {
  SleepPolicy p(s0);
  auto order = p.on_list(true, true, settings(AsleepAction::wake_every), s0 + 200ms);
  REQUIRE(order);
  p.on_result(true, false);
  CHECK(p.wake_failed());
  p.machine_healthy();
  CHECK_FALSE(p.wake_failed());
  order = p.on_list(true, true, settings(AsleepAction::wake_every), s0 + 400ms);
  REQUIRE(order);
  p.on_result(true, true);
  CHECK_FALSE(p.wake_failed());
  // A probe whose target changed will not answer: the next list may send again.
  REQUIRE(p.on_list(true, true, settings(AsleepAction::wake_every), s0 + 600ms));
  p.drop_in_flight();
  CHECK(p.on_list(true, true, settings(AsleepAction::wake_every), s0 + 800ms));
}
