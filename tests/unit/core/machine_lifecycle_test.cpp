#include "core/machine_lifecycle.hpp"

#include "machine_snapshots.hpp"

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
  CHECK(cs.known_total() == 4s);
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
  SUBCASE("no events at all: boot is unknown, total from observation") {
    auto u = lc.observe(snap("started", evs), OwnProbe::none, t0 + 15s);
    REQUIRE(u.cold_starts.size() == 1);
    CHECK_FALSE(u.cold_starts[0].start_from_event);
    CHECK_FALSE(u.cold_starts[0].boot());
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

// --- issue 9: the real Machines API (checks not yet reported, host_status, cordoned, created,
// machines that never serve) and first sightings that cannot be timed ---

TEST_CASE("MachineLifecycle: a restart of flywatch beside a machine already healthy pages nothing") {
  // The fleet: started 50 s before flywatch looks, checks passing since 40 s before.
  const std::vector<fc::MachineEvent> evs = {ev("exit", "stopped", t0 - 10min),
                                             ev("start", "started", t0 - 50s)};
  SUBCASE("checks' updated_at bounds the healthy moment: a 10 s ready phase, not 50 s") {
    fc::MachineLifecycle lc(limits(30s));
    auto u = lc.observe(with_checks(snap("started", evs, {"passing"}), 1, t0 - 40s),
                        OwnProbe::none, t0);
    REQUIRE(u.cold_starts.size() == 1);
    const auto& cs = u.cold_starts[0];
    CHECK(cs.ready() == 10s);
    CHECK_FALSE(cs.boot());  // only the `started` event: boot unknown
    CHECK(cs.total() == 10s);
    CHECK_FALSE(cs.slow);
    CHECK_FALSE(u.slow);
    CHECK(lc.state() == MachineState::healthy);
    CHECK_FALSE(lc.cold_start());
  }
  SUBCASE("the same with the own probe still pending: the bound ends the cold start") {
    fc::MachineLifecycle lc(limits(30s));
    auto u = lc.observe(with_checks(snap("started", evs, {"passing"}), 1, t0 - 40s),
                        OwnProbe::pending, t0);
    REQUIRE(u.cold_starts.size() == 1);
    CHECK(u.cold_starts[0].ready() == 10s);
    CHECK(lc.state() == MachineState::started);
    CHECK_FALSE(lc.cold_start());
    // The probe's first answer is not a second cold start.
    u = lc.observe(with_checks(snap("started", evs, {"passing"}), 1, t0 - 40s),
                   OwnProbe::passing, t0 + 1s);
    CHECK(u.cold_starts.empty());
    CHECK(lc.state() == MachineState::healthy);
  }
  SUBCASE("no updated_at: the healthy moment is unknown, no cold start") {
    fc::MachineLifecycle lc(limits(30s));
    auto u = lc.observe(with_checks(snap("started", evs, {"passing"}), 1), OwnProbe::none, t0);
    CHECK(u.transitions.empty());
    CHECK(u.cold_starts.empty());
    CHECK_FALSE(u.slow);
    CHECK_FALSE(lc.cold_start());
    CHECK(lc.state() == MachineState::healthy);
    CHECK(lc.since() == t0 - 50s);
    // Later polls do not find a slow cold start either.
    u = lc.observe(with_checks(snap("started", evs, {"passing"}), 1), OwnProbe::none, t0 + 30s);
    CHECK(u.empty());
  }
  SUBCASE("an updated_at from before the start bounds nothing") {
    fc::MachineLifecycle lc(limits(30s));
    auto u = lc.observe(with_checks(snap("started", evs, {"passing"}), 1, t0 - 55s),
                        OwnProbe::none, t0);
    CHECK(u.cold_starts.empty());
    CHECK_FALSE(lc.cold_start());
  }
  SUBCASE("no checks, own probe pending: its first answer would only time our first look") {
    fc::MachineLifecycle lc(limits(30s));
    auto u = lc.observe(snap("started", evs), OwnProbe::pending, t0);
    CHECK(u.transitions.empty());
    CHECK_FALSE(lc.cold_start());
    u = lc.observe(snap("started", evs), OwnProbe::passing, t0 + 2s);
    CHECK(u.cold_starts.empty());
  }
  SUBCASE("not yet healthy when first seen: a genuine cold start in progress, kept") {
    fc::MachineLifecycle lc(limits(60s));
    auto u = lc.observe(with_checks(snap("started", evs, {"critical"}), 1, t0 - 50s),
                        OwnProbe::none, t0);
    REQUIRE(lc.cold_start());
    u = lc.observe(with_checks(snap("started", evs, {"passing"}), 1, t0 + 4s), OwnProbe::none,
                   t0 + 5s);
    REQUIRE(u.cold_starts.size() == 1);
    CHECK(u.cold_starts[0].ready() == 55s);  // healthy seen at t0 + 5s
  }
}

TEST_CASE("MachineLifecycle: a start whose only event is `started` has an unknown boot") {
  fc::MachineLifecycle lc(limits());
  std::vector<fc::MachineEvent> evs = {ev("exit", "stopped", t0 - 10s)};
  lc.observe(snap("stopped", evs), OwnProbe::none, t0);
  evs.push_back(ev("start", "started", t0 + 4100ms));
  auto u = lc.observe(snap("started", evs, {"critical"}), OwnProbe::none, t0 + 5s);
  REQUIRE(lc.cold_start());
  u = lc.observe(snap("started", evs, {"passing"}), OwnProbe::none, t0 + 10s);
  REQUIRE(u.cold_starts.size() == 1);
  const auto& cs = u.cold_starts[0];
  CHECK(cs.boot_unknown);
  CHECK_FALSE(cs.boot());  // not 0: nothing measured it
  CHECK(cs.ready() == 5900ms);
  CHECK(cs.total() == 5900ms);  // from `started`
  CHECK_FALSE(cs.known_total());  // so neither the metric nor the status reports it
  CHECK(cs.start == t0 + 4100ms);
}

TEST_CASE("MachineLifecycle: checks not reported right after a start keep the cold start going") {
  fc::MachineLifecycle lc(limits(30s));
  std::vector<fc::MachineEvent> evs = {ev("exit", "stopped", t0 - 1min)};
  lc.observe(with_checks(snap("stopped", evs), 1), OwnProbe::none, t0);
  evs.push_back(ev("start", "starting", t0 + 1s));
  evs.push_back(ev("start", "started", t0 + 2s));
  // Fly lists no check status yet although one is configured: not healthy.
  auto u = lc.observe(with_checks(snap("started", evs), 1), OwnProbe::none, t0 + 3s);
  CHECK(lc.state() == MachineState::started);
  CHECK(u.cold_starts.empty());
  REQUIRE(lc.cold_start());
  u = lc.observe(with_checks(snap("started", evs, {"passing"}), 1, t0 + 11s), OwnProbe::none,
                 t0 + 12s);
  REQUIRE(u.cold_starts.size() == 1);
  CHECK(u.cold_starts[0].boot() == 1s);
  CHECK(u.cold_starts[0].ready() == 10s);  // seen healthy at t0 + 12s
}

TEST_CASE("MachineLifecycle: a host that is not ok leaves healthy with a reason, then comes back") {
  fc::MachineLifecycle lc(limits());
  std::vector<fc::MachineEvent> evs = {ev("start", "started", t0 - 1h)};
  auto m = with_checks(snap("started", evs, {"passing"}), 1, t0 - 1h);
  lc.observe(m, OwnProbe::none, t0);
  CHECK(lc.state() == MachineState::healthy);
  // The API still says started (the last it heard) and sends incomplete_config.
  auto lost = m;
  lost.host_status = "unreachable";
  lost.incomplete_config = true;
  lost.configured_checks = 0;
  auto u = lc.observe(lost, OwnProbe::none, t0 + 10s);
  REQUIRE(u.transitions.size() == 1);
  CHECK(u.transitions[0].from == MachineState::healthy);
  CHECK(u.transitions[0].to == MachineState::unknown);
  CHECK(u.transitions[0].reason == "host unreachable");
  CHECK(lc.reason() == "host unreachable");
  CHECK(lc.observe(lost, OwnProbe::none, t0 + 20s).empty());
  // Back: the state resumes, no cold start, no reason.
  u = lc.observe(m, OwnProbe::none, t0 + 30s);
  REQUIRE(u.transitions.size() == 1);
  CHECK(u.transitions[0].to == MachineState::healthy);
  CHECK(u.transitions[0].reason.empty());
  CHECK(u.cold_starts.empty());
  CHECK(lc.reason().empty());
}

TEST_CASE("MachineLifecycle: cordoned is started with a reason, and starts no cold start") {
  fc::MachineLifecycle lc(limits());
  auto m = snap("started", {ev("start", "started", t0 - 1h)}, {"passing"});
  lc.observe(m, OwnProbe::none, t0);
  m.cordoned = true;
  auto u = lc.observe(m, OwnProbe::none, t0 + 10s);
  REQUIRE(u.transitions.size() == 1);
  CHECK(u.transitions[0].to == MachineState::started);
  CHECK(u.transitions[0].reason == "cordoned");
  CHECK(lc.cordoned());
  // First seen cordoned during a recent start: no episode that could never end.
  fc::MachineLifecycle fresh(limits());
  auto c = snap("started", {ev("start", "started", t0 - 5s)}, {"passing"});
  c.cordoned = true;
  fresh.observe(c, OwnProbe::none, t0);
  CHECK_FALSE(fresh.cold_start());
  CHECK(fresh.state() == MachineState::started);
}

TEST_CASE("MachineLifecycle: left in `created` past stuck_after is stuck; just created is not") {
  fc::MachineLifecycle fresh(limits());
  auto m = snap("created", {ev("launch", "created", t0 - 30s)});
  CHECK_FALSE(fresh.observe(m, OwnProbe::none, t0).stuck);
  CHECK_FALSE(fresh.observe(m, OwnProbe::none, t0 + 4min).stuck);
  auto u = fresh.observe(m, OwnProbe::none, t0 + 5min);
  REQUIRE(u.stuck);
  CHECK(u.stuck->fly_state == "created");
  CHECK(u.stuck->since == t0 - 30s);
  CHECK_FALSE(fresh.observe(m, OwnProbe::none, t0 + 6min).stuck);  // once

  fc::MachineLifecycle old(limits());
  u = old.observe(snap("created", {ev("launch", "created", t0 - 3h)}), OwnProbe::none, t0);
  REQUIRE(u.stuck);
  CHECK(u.stuck->since == t0 - 3h);
  // A stopped machine (asleep) is never stuck, however long.
  fc::MachineLifecycle asleep(limits());
  CHECK_FALSE(asleep.observe(snap("stopped", {ev("exit", "stopped", t0 - 3h)}), OwnProbe::none, t0).stuck);
}

TEST_CASE("AppFleet: release, test-machine and console machines are not tracked") {
  fc::AppFleet fleet(limits());
  std::vector<fc::MachineSnapshot> ms;
  for (const char* group : {"fly_app_release_command", "release_command",
                            "fly_app_test_machine_command", "fly_app_console"}) {
    auto m = snap("started", {ev("start", "started", t0 - 2s)}, {}, group);
    m.process_group = group;
    ms.push_back(m);
  }
  ms.push_back(snap("started", {}, {}, "app1"));
  auto u = fleet.observe(ms, {}, t0);
  CHECK(u.appeared == std::vector<std::string>{"app1"});
  CHECK(u.machines.empty());
}

