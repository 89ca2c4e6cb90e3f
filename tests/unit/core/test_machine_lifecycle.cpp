#include "core/machine_lifecycle.hpp"

#include <doctest.h>

#include <string>
#include <vector>

namespace fc = flywatch::core;
using fc::MachineState;
using fc::OwnProbe;
using namespace std::chrono_literals;
using Tp = std::chrono::system_clock::time_point;

namespace {
// The fake clock: every test counts from t0.
const Tp t0 = Tp{} + 1'800'000'000s;

std::int64_t epoch_ms(Tp t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

fc::MachineEvent ev(std::string type, std::string status, Tp at) {
  fc::MachineEvent e;
  e.type = std::move(type);
  e.status = std::move(status);
  e.source = "flyd";
  e.timestamp_ms = epoch_ms(at);
  return e;
}

fc::MachineSnapshot snap(std::string state, std::vector<fc::MachineEvent> events_oldest_first = {},
                         std::vector<std::string> check_statuses = {}, std::string id = "m1") {
  fc::MachineSnapshot m;
  m.id = std::move(id);
  m.state = std::move(state);
  m.process_group = "app";
  for (auto it = events_oldest_first.rbegin(); it != events_oldest_first.rend(); ++it)
    m.events.push_back(*it);  // the API lists newest first
  int n = 0;
  for (auto& s : check_statuses) {
    fc::MachineCheck c;
    c.name = "check" + std::to_string(n++);
    c.status = s;
    m.checks.push_back(c);
  }
  return m;
}

fc::LifecycleLimits limits(std::chrono::milliseconds slo = 30s) {
  fc::LifecycleLimits l;
  l.cold_start_slo = slo;
  return l;
}
}  // namespace

TEST_CASE("lifecycle_state: DESIGN §5 table") {
  struct Row {
    const char* fly_state;
    std::vector<std::string> checks;
    OwnProbe probe;
    MachineState want;
  };
  const std::vector<Row> rows = {
      {"created", {}, OwnProbe::none, MachineState::stopped},
      {"stopped", {}, OwnProbe::none, MachineState::stopped},
      {"suspended", {}, OwnProbe::none, MachineState::suspended},
      {"starting", {}, OwnProbe::none, MachineState::starting},
      {"restarting", {}, OwnProbe::none, MachineState::starting},
      {"started", {}, OwnProbe::none, MachineState::healthy},
      {"started", {"passing", "passing"}, OwnProbe::none, MachineState::healthy},
      {"started", {"passing"}, OwnProbe::passing, MachineState::healthy},
      {"started", {}, OwnProbe::passing, MachineState::healthy},
      {"started", {"warning"}, OwnProbe::none, MachineState::started},
      {"started", {"passing", ""}, OwnProbe::passing, MachineState::started},
      {"started", {"passing", "critical"}, OwnProbe::none, MachineState::unhealthy},
      {"started", {"critical"}, OwnProbe::passing, MachineState::unhealthy},
      {"started", {"passing"}, OwnProbe::failing, MachineState::unhealthy},
      {"started", {}, OwnProbe::failing, MachineState::unhealthy},
      // Configured but not yet passing: started, never healthy, never unhealthy on its own.
      {"started", {}, OwnProbe::pending, MachineState::started},
      {"started", {"passing"}, OwnProbe::pending, MachineState::started},
      {"started", {"critical"}, OwnProbe::pending, MachineState::unhealthy},
      {"started", {"warning"}, OwnProbe::failing, MachineState::unhealthy},
      {"stopping", {}, OwnProbe::none, MachineState::stopping},
      {"suspending", {}, OwnProbe::none, MachineState::suspending},
      {"replacing", {}, OwnProbe::none, MachineState::updating},
      {"updating", {}, OwnProbe::none, MachineState::updating},
      {"failed", {}, OwnProbe::none, MachineState::failed},
      {"launch_failed", {}, OwnProbe::none, MachineState::failed},
      {"destroying", {}, OwnProbe::none, MachineState::destroyed},
      {"destroyed", {}, OwnProbe::none, MachineState::destroyed},
      // Checks and probe only refine `started`.
      {"stopped", {"critical"}, OwnProbe::failing, MachineState::stopped},
      {"creating", {}, OwnProbe::none, MachineState::unknown},
      {"", {}, OwnProbe::none, MachineState::unknown},
      {"STARTED", {}, OwnProbe::none, MachineState::unknown},
      {"hibernating", {}, OwnProbe::none, MachineState::unknown},
  };
  for (const auto& r : rows) {
    CAPTURE(r.fly_state);
    CAPTURE(r.checks.size());
    CHECK(fc::lifecycle_state(snap(r.fly_state, {}, r.checks), r.probe) == r.want);
  }
  CHECK(fc::to_string(MachineState::suspending) == "suspending");
  CHECK(fc::to_string(MachineState::unknown) == "unknown");
  CHECK(fc::to_string(fc::ColdStartKind::resume) == "resume");
}

TEST_CASE("MachineLifecycle: first sighting sets the state without a transition") {
  fc::MachineLifecycle lc(limits());
  auto u = lc.observe(snap("started", {ev("start", "started", t0 - 1h)}), OwnProbe::none, t0);
  CHECK(u.transitions.empty());
  CHECK(u.cold_starts.empty());
  CHECK(lc.state() == MachineState::healthy);
  CHECK(lc.since() == t0 - 1h);  // the event explains since when
  CHECK_FALSE(lc.cold_start());
}

TEST_CASE("MachineLifecycle: cold start timed from events, exact to the ms") {
  fc::MachineLifecycle lc(limits());
  std::vector<fc::MachineEvent> evs = {ev("exit", "stopped", t0 - 100s)};
  lc.observe(snap("stopped", evs), OwnProbe::none, t0);
  CHECK(lc.state() == MachineState::stopped);

  evs.push_back(ev("start", "starting", t0 + 8123ms));
  auto u = lc.observe(snap("starting", evs, {"critical"}), OwnProbe::none, t0 + 10s);
  REQUIRE(u.transitions.size() == 1);
  CHECK(u.transitions[0].from == MachineState::stopped);
  CHECK(u.transitions[0].to == MachineState::starting);
  CHECK(u.transitions[0].at == t0 + 8123ms);
  REQUIRE(lc.cold_start());
  CHECK(lc.cold_start()->start_from_event);

  evs.push_back(ev("start", "started", t0 + 9456ms));
  u = lc.observe(snap("started", evs, {"warning"}), OwnProbe::none, t0 + 20s);
  REQUIRE(u.transitions.size() == 1);
  CHECK(u.transitions[0].to == MachineState::started);
  CHECK(u.transitions[0].at == t0 + 9456ms);
  CHECK(u.cold_starts.empty());

  SUBCASE("healthy through checks: known at observation time") {
    u = lc.observe(snap("started", evs, {"passing"}), OwnProbe::none, t0 + 30s);
    REQUIRE(u.transitions.size() == 1);
    CHECK(u.transitions[0].from == MachineState::started);
    CHECK(u.transitions[0].to == MachineState::healthy);
    CHECK(u.transitions[0].at == t0 + 30s);
    REQUIRE(u.cold_starts.size() == 1);
    const auto& cs = u.cold_starts[0];
    CHECK(cs.kind == fc::ColdStartKind::cold);
    CHECK(cs.boot() == 1333ms);
    CHECK(cs.ready() == 20544ms);
    CHECK(cs.total() == 21877ms);
    CHECK_FALSE(cs.slow);
    CHECK_FALSE(lc.cold_start());
    // Healthy again later is not another cold start.
    u = lc.observe(snap("started", evs, {"passing"}), OwnProbe::none, t0 + 40s);
    CHECK(u.empty());
  }
  SUBCASE("no checks, no probe: healthy the moment it started") {
    fc::MachineLifecycle lc2(limits());
    std::vector<fc::MachineEvent> e2 = {ev("exit", "stopped", t0 - 100s)};
    lc2.observe(snap("stopped", e2), OwnProbe::none, t0);
    e2.push_back(ev("start", "starting", t0 + 1001ms));
    lc2.observe(snap("starting", e2), OwnProbe::none, t0 + 2s);
    e2.push_back(ev("start", "started", t0 + 2345ms));
    u = lc2.observe(snap("started", e2), OwnProbe::none, t0 + 5s);
    REQUIRE(u.cold_starts.size() == 1);
    CHECK(u.cold_starts[0].boot() == 1344ms);
    CHECK(u.cold_starts[0].ready() == 0ms);
    CHECK(u.cold_starts[0].total() == 1344ms);
    CHECK(u.transitions[0].at == t0 + 2345ms);
  }
}

TEST_CASE("MachineLifecycle: cold start without events uses observation times") {
  fc::MachineLifecycle lc(limits());
  lc.observe(snap("stopped"), OwnProbe::none, t0);
  auto u = lc.observe(snap("starting"), OwnProbe::none, t0 + 5s);
  REQUIRE(u.transitions.size() == 1);
  CHECK(u.transitions[0].at == t0 + 5s);
  u = lc.observe(snap("started"), OwnProbe::failing, t0 + 7s);  // own probe failing
  CHECK(u.transitions[0].to == MachineState::unhealthy);
  u = lc.observe(snap("started"), OwnProbe::passing, t0 + 9s);
  REQUIRE(u.cold_starts.size() == 1);
  const auto& cs = u.cold_starts[0];
  CHECK_FALSE(cs.start_from_event);
  CHECK(cs.start == t0 + 5s);
  CHECK(cs.boot() == 2s);
  CHECK(cs.ready() == 2s);
  CHECK(cs.total() == 4s);
}

TEST_CASE("MachineLifecycle: a failing own probe is not graced while booting") {
  fc::MachineLifecycle lc(limits(30s));
  lc.observe(snap("stopped"), OwnProbe::none, t0);
  lc.observe(snap("starting"), OwnProbe::pending, t0 + 1s);
  auto u = lc.observe(snap("started", {}, {"critical"}), OwnProbe::pending, t0 + 3s);
  CHECK(lc.state() == MachineState::started);
  u = lc.observe(snap("started", {}, {"critical"}), OwnProbe::failing, t0 + 5s);
  REQUIRE(u.transitions.size() == 1);
  CHECK(u.transitions[0].to == MachineState::unhealthy);
  CHECK(lc.cold_start().has_value());  // the episode goes on: it may still become healthy
}

TEST_CASE("MachineLifecycle: a passing own probe ends a cold start before Fly's checks catch up") {
  fc::MachineLifecycle lc(limits(30s));
  std::vector<fc::MachineEvent> evs = {ev("exit", "stopped", t0 - 1min)};
  lc.observe(snap("stopped", evs), OwnProbe::none, t0);
  evs.push_back(ev("start", "starting", t0 + 1s));
  evs.push_back(ev("start", "started", t0 + 2500ms));
  auto u = lc.observe(snap("started", evs, {"critical"}), OwnProbe::pending, t0 + 3s);
  CHECK(lc.state() == MachineState::started);
  // The probe passes before the next poll: the same (stale) snapshot, a later time.
  u = lc.observe(snap("started", evs, {"critical"}), OwnProbe::passing, t0 + 3700ms);
  REQUIRE(u.cold_starts.size() == 1);
  CHECK(u.cold_starts[0].boot() == 1500ms);
  CHECK(u.cold_starts[0].ready() == 1200ms);
  // The next poll still shows the check critical (it lags): no flap within the SLO ...
  u = lc.observe(snap("started", evs, {"critical"}), OwnProbe::passing, t0 + 5s);
  CHECK(u.transitions.empty());
  CHECK(lc.state() == MachineState::healthy);
  // ... but past it a critical check counts.
  u = lc.observe(snap("started", evs, {"critical"}), OwnProbe::passing, t0 + 40s);
  REQUIRE(u.transitions.size() == 1);
  CHECK(u.transitions[0].to == MachineState::unhealthy);
}

TEST_CASE("MachineLifecycle: resume from suspended") {
  fc::MachineLifecycle lc(limits());
  std::vector<fc::MachineEvent> evs = {ev("suspend", "suspended", t0 - 1h)};
  lc.observe(snap("suspended", evs), OwnProbe::none, t0);
  CHECK(lc.state() == MachineState::suspended);
  evs.push_back(ev("start", "starting", t0 + 100ms));
  evs.push_back(ev("start", "started", t0 + 420ms));
  auto u = lc.observe(snap("started", evs, {"passing"}), OwnProbe::none, t0 + 3s);
  REQUIRE(u.transitions.size() == 1);
  CHECK(u.transitions[0].from == MachineState::suspended);
  CHECK(u.transitions[0].to == MachineState::healthy);
  REQUIRE(u.cold_starts.size() == 1);
  CHECK(u.cold_starts[0].kind == fc::ColdStartKind::resume);
  CHECK(u.cold_starts[0].boot() == 320ms);
  CHECK(u.cold_starts[0].total() == 2900ms);
}

TEST_CASE("MachineLifecycle: a start missed between polls still counts") {
  fc::MachineLifecycle lc(limits());
  std::vector<fc::MachineEvent> evs = {ev("exit", "stopped", t0 - 10s)};
  lc.observe(snap("stopped", evs), OwnProbe::none, t0);
  SUBCASE("with start events") {
    evs.push_back(ev("start", "starting", t0 + 3200ms));
    evs.push_back(ev("start", "started", t0 + 4100ms));
    auto u = lc.observe(snap("started", evs), OwnProbe::none, t0 + 15s);
    REQUIRE(u.transitions.size() == 1);
    CHECK(u.transitions[0].from == MachineState::stopped);
    CHECK(u.transitions[0].to == MachineState::healthy);
    CHECK(u.transitions[0].at == t0 + 4100ms);
    REQUIRE(u.cold_starts.size() == 1);
    CHECK(u.cold_starts[0].start == t0 + 3200ms);
    CHECK(u.cold_starts[0].boot() == 900ms);
    CHECK(u.cold_starts[0].total() == 900ms);
  }
  SUBCASE("seen started (not yet healthy), then healthy") {
    evs.push_back(ev("start", "starting", t0 + 3200ms));
    evs.push_back(ev("start", "started", t0 + 4100ms));
    // Critical checks while the app boots (within the SLO) are not unhealthy yet.
    auto u = lc.observe(snap("started", evs, {"critical"}), OwnProbe::none, t0 + 15s);
    CHECK(u.transitions[0].to == MachineState::started);
    CHECK(u.transitions[0].at == t0 + 4100ms);
    u = lc.observe(snap("started", evs, {"passing"}), OwnProbe::none, t0 + 30s);
    REQUIRE(u.cold_starts.size() == 1);
    CHECK(u.cold_starts[0].boot() == 900ms);
    CHECK(u.cold_starts[0].ready() == 25900ms);
  }
  SUBCASE("no events at all: boot is unknown (0), total from observation") {
    auto u = lc.observe(snap("started", evs), OwnProbe::none, t0 + 15s);
    REQUIRE(u.cold_starts.size() == 1);
    CHECK_FALSE(u.cold_starts[0].start_from_event);
    CHECK(u.cold_starts[0].start == t0 + 15s);
    CHECK(u.cold_starts[0].total() == 0ms);
  }
}

TEST_CASE("MachineLifecycle: a cold start that never becomes healthy") {
  fc::MachineLifecycle lc(limits(30s));
  lc.observe(snap("stopped"), OwnProbe::none, t0);
  lc.observe(snap("starting"), OwnProbe::none, t0 + 1s);
  int slow_reports = 0;
  for (auto t = t0 + 10s; t <= t0 + 90s; t += 10s) {
    auto u = lc.observe(snap("started", {}, {"critical"}), OwnProbe::none, t);
    // Booting grace: critical checks are `started` until the SLO has passed, then `unhealthy`.
    CHECK(lc.state() == (t - (t0 + 1s) <= 30s ? MachineState::started : MachineState::unhealthy));
    if (u.slow) {
      ++slow_reports;
      CHECK(t == t0 + 40s);  // first poll past start + 30 s
      CHECK(u.slow->start == t0 + 1s);
      CHECK_FALSE(u.slow->healthy);
    }
    CHECK(u.cold_starts.empty());
  }
  CHECK(slow_reports == 1);
  SUBCASE("stopping again abandons it") {
    auto u = lc.observe(snap("stopped"), OwnProbe::none, t0 + 100s);
    REQUIRE(u.abandoned);
    CHECK(u.abandoned->ended == t0 + 100s);
    CHECK(u.abandoned->slow);
    CHECK_FALSE(lc.cold_start());
  }
  SUBCASE("becoming healthy late ends it, marked slow") {
    auto u = lc.observe(snap("started"), OwnProbe::none, t0 + 100s);
    REQUIRE(u.cold_starts.size() == 1);
    CHECK(u.cold_starts[0].slow);
    CHECK(u.cold_starts[0].total() == 99s);
    CHECK_FALSE(u.slow);
  }
}

TEST_CASE("MachineLifecycle: a failed start is abandoned") {
  fc::MachineLifecycle lc(limits());
  lc.observe(snap("stopped"), OwnProbe::none, t0);
  lc.observe(snap("starting"), OwnProbe::none, t0 + 1s);
  auto u = lc.observe(snap("failed"), OwnProbe::none, t0 + 2s);
  REQUIRE(u.abandoned);
  CHECK_FALSE(u.abandoned->slow);
  CHECK(u.transitions[0].to == MachineState::failed);
}

TEST_CASE("MachineLifecycle: stuck in starting is reported once") {
  fc::MachineLifecycle lc(limits(10min));
  lc.observe(snap("stopped"), OwnProbe::none, t0);
  int stuck = 0;
  for (auto t = t0 + 30s; t <= t0 + 8min; t += 30s) {
    auto u = lc.observe(snap("starting"), OwnProbe::none, t);
    if (u.stuck) {
      ++stuck;
      CHECK(t == t0 + 6min);  // first poll more than 5 min after entering starting at t0+30s
      CHECK(u.stuck->state == MachineState::starting);
      CHECK(u.stuck->since == t0 + 30s);
    }
  }
  CHECK(stuck == 1);
  // Leaving and re-entering a transient state arms it again.
  lc.observe(snap("stopping"), OwnProbe::none, t0 + 9min);
  auto u = lc.observe(snap("stopping"), OwnProbe::none, t0 + 15min);
  REQUIRE(u.stuck);
  CHECK(u.stuck->state == MachineState::stopping);
  // Steady states are never stuck.
  fc::MachineLifecycle steady(limits());
  steady.observe(snap("stopped"), OwnProbe::none, t0);
  CHECK_FALSE(steady.observe(snap("stopped"), OwnProbe::none, t0 + 1h).stuck);
}

TEST_CASE("MachineLifecycle: an OOM exit is visible in the update") {
  fc::MachineLifecycle lc(limits());
  std::vector<fc::MachineEvent> evs = {ev("start", "started", t0 - 1h)};
  lc.observe(snap("started", evs), OwnProbe::none, t0);
  auto exit = ev("exit", "stopped", t0 + 5500ms);
  exit.exit_code = 137;
  exit.oom_killed = true;
  evs.push_back(exit);
  SUBCASE("stopped") {
    auto u = lc.observe(snap("stopped", evs), OwnProbe::none, t0 + 10s);
    REQUIRE(u.transitions.size() == 1);
    CHECK(u.transitions[0].from == MachineState::healthy);
    CHECK(u.transitions[0].to == MachineState::stopped);
    CHECK(u.transitions[0].at == t0 + 5500ms);
    REQUIRE(u.exits.size() == 1);
    CHECK(u.exits[0].oom_killed);
    CHECK(u.exits[0].exit_code == 137);
    CHECK(u.exits[0].at == t0 + 5500ms);
    // The same exit is not reported twice.
    CHECK(lc.observe(snap("stopped", evs), OwnProbe::none, t0 + 20s).exits.empty());
  }
  SUBCASE("failed") {
    auto u = lc.observe(snap("failed", evs), OwnProbe::none, t0 + 10s);
    REQUIRE(u.transitions.size() == 1);
    CHECK(u.transitions[0].to == MachineState::failed);
    CHECK(u.transitions[0].at == t0 + 10s);  // no event with status failed
    REQUIRE(u.exits.size() == 1);
    CHECK(u.exits[0].oom_killed);
  }
}

TEST_CASE("MachineLifecycle: first sighting during a recent start begins a cold start") {
  fc::MachineLifecycle lc(limits());
  std::vector<fc::MachineEvent> evs = {ev("suspend", "suspended", t0 - 1h),
                                       ev("start", "starting", t0 - 2s)};
  auto u = lc.observe(snap("starting", evs), OwnProbe::none, t0);
  REQUIRE(u.transitions.size() == 1);
  CHECK(u.transitions[0].from == MachineState::suspended);
  CHECK(u.transitions[0].at == t0 - 2s);
  REQUIRE(lc.cold_start());
  CHECK(lc.cold_start()->kind == fc::ColdStartKind::resume);
  evs.push_back(ev("start", "started", t0 + 1s));
  u = lc.observe(snap("started", evs), OwnProbe::none, t0 + 5s);
  REQUIRE(u.cold_starts.size() == 1);
  CHECK(u.cold_starts[0].boot() == 3s);

  // A machine first seen that started long ago is not a cold start.
  fc::MachineLifecycle old(limits());
  u = old.observe(snap("started", {ev("start", "starting", t0 - 10min)}), OwnProbe::none, t0);
  CHECK(u.transitions.empty());
  CHECK_FALSE(old.cold_start());
}

TEST_CASE("MachineLifecycle: unknown states are never treated as stopped") {
  fc::MachineLifecycle lc(limits());
  lc.observe(snap("started"), OwnProbe::none, t0);
  auto u = lc.observe(snap("migrating"), OwnProbe::none, t0 + 10s);
  REQUIRE(u.transitions.size() == 1);
  CHECK(u.transitions[0].to == MachineState::unknown);
  u = lc.observe(snap("started"), OwnProbe::none, t0 + 20s);
  CHECK(u.transitions[0].from == MachineState::unknown);
  CHECK(u.cold_starts.empty());
  CHECK_FALSE(lc.cold_start());
}

TEST_CASE("AppFleet: appear, disappear, destroyed, ignored groups, counts, asleep") {
  fc::AppFleet fleet(limits());
  auto a = snap("started", {}, {}, "a");
  auto b = snap("stopped", {}, {}, "b");
  auto rel = snap("started", {}, {}, "rel");
  rel.process_group = "fly_app_release_command";
  auto con = snap("stopped", {}, {}, "con");
  con.process_group = "fly_app_console";
  auto gone = snap("destroyed", {}, {}, "gone");

  auto u = fleet.observe({a, b, rel, con, gone}, {{"a", OwnProbe::failing}}, t0);
  CHECK(u.appeared == std::vector<std::string>{"a", "b"});
  CHECK(u.machines.empty());  // first sightings, no transitions
  CHECK(fleet.machines().size() == 2);
  CHECK(u.count(MachineState::unhealthy) == 1);  // own probe false
  CHECK(u.count(MachineState::stopped) == 1);
  CHECK(u.count(MachineState::started) == 0);
  CHECK_FALSE(u.asleep);

  // a stops: the app is asleep.
  a.state = "stopped";
  u = fleet.observe({a, b, rel}, {}, t0 + 10s);
  CHECK(u.appeared.empty());
  REQUIRE(u.machines.count("a") == 1);
  CHECK(u.machines.at("a").transitions[0].to == MachineState::stopped);
  CHECK(u.count(MachineState::stopped) == 2);
  CHECK(u.asleep);

  // suspended counts as asleep too; an unknown state does not.
  b.state = "suspended";
  CHECK(fleet.observe({a, b}, {}, t0 + 20s).asleep);
  b.state = "weird";
  u = fleet.observe({a, b}, {}, t0 + 30s);
  CHECK_FALSE(u.asleep);
  CHECK(u.count(MachineState::unknown) == 1);

  // b destroyed: reported once, then forgotten; a disappears.
  b.state = "destroyed";
  u = fleet.observe({b}, {}, t0 + 40s);
  CHECK(u.destroyed == std::vector<std::string>{"b"});
  REQUIRE(u.machines.count("b") == 1);
  CHECK(u.machines.at("b").transitions[0].to == MachineState::destroyed);
  CHECK(u.disappeared == std::vector<std::string>{"a"});
  CHECK(fleet.machines().empty());
  CHECK_FALSE(u.asleep);  // no machines is not asleep

  // Still listed destroyed (include_deleted): not tracked again.
  u = fleet.observe({b}, {}, t0 + 50s);
  CHECK(u.appeared.empty());
  CHECK(u.destroyed.empty());
  CHECK(fleet.machines().empty());
}

TEST_CASE("AppFleet: a machine's cold start comes through the fleet update") {
  fc::AppFleet fleet(limits());
  fleet.observe({snap("stopped", {}, {}, "a")}, {}, t0);
  fleet.observe({snap("starting", {}, {}, "a")}, {}, t0 + 5s);
  auto u = fleet.observe({snap("started", {}, {}, "a")}, {{"a", OwnProbe::passing}}, t0 + 8s);
  REQUIRE(u.machines.count("a") == 1);
  REQUIRE(u.machines.at("a").cold_starts.size() == 1);
  CHECK(u.machines.at("a").cold_starts[0].total() == 3s);
  CHECK(u.count(MachineState::healthy) == 1);
}

TEST_CASE("is_ignored_process_group matches only the ephemeral groups") {
  CHECK(fc::is_ignored_process_group("fly_app_release_command"));
  CHECK(fc::is_ignored_process_group("fly_app_console"));
  CHECK_FALSE(fc::is_ignored_process_group("app"));
  CHECK_FALSE(fc::is_ignored_process_group(""));
  CHECK_FALSE(fc::is_ignored_process_group("fly_app_release_command2"));
  CHECK_FALSE(fc::is_ignored_process_group("FLY_APP_CONSOLE"));
}

TEST_CASE("MachineLifecycle: an event from the future does not hide the exits after it") {
  fc::MachineLifecycle lc(limits());
  // A host clock an hour ahead stamped this start.
  std::vector<fc::MachineEvent> evs = {ev("start", "started", t0 + 1h)};
  lc.observe(snap("started", evs), OwnProbe::none, t0);
  auto oom = ev("exit", "stopped", t0 + 10s);
  oom.oom_killed = true;
  oom.exit_code = 137;
  evs.push_back(oom);
  auto u = lc.observe(snap("stopped", evs), OwnProbe::none, t0 + 20s);
  REQUIRE(u.exits.size() == 1);
  CHECK(u.exits[0].oom_killed);
}
