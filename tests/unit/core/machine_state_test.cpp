// The DESIGN §5 classification of one machine snapshot: lifecycle_state, host_problem,
// state_reason, probe_eligible, host_lost, is_ignored_process_group.
#include "core/machine_state.hpp"

#include "machine_snapshots.hpp"

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

TEST_CASE("is_ignored_process_group matches only the ephemeral groups") {
  CHECK(fc::is_ignored_process_group("fly_app_release_command"));
  CHECK(fc::is_ignored_process_group("fly_app_console"));
  CHECK(fc::is_ignored_process_group("release_command"));  // legacy, as fly-go reads it
  CHECK(fc::is_ignored_process_group("fly_app_test_machine_command"));
  CHECK_FALSE(fc::is_ignored_process_group("app"));
  CHECK_FALSE(fc::is_ignored_process_group(""));
  CHECK_FALSE(fc::is_ignored_process_group("fly_app_release_command2"));
  CHECK_FALSE(fc::is_ignored_process_group("FLY_APP_CONSOLE"));
}

TEST_CASE("lifecycle_state: configured checks not reported yet are not passing") {
  // Right after a start Fly lists no status for the configured checks.
  CHECK(fc::lifecycle_state(with_checks(snap("started"), 1), OwnProbe::none) ==
        MachineState::started);
  CHECK(fc::lifecycle_state(with_checks(snap("started", {}, {"passing"}), 2), OwnProbe::none) ==
        MachineState::started);
  CHECK(fc::lifecycle_state(with_checks(snap("started", {}, {"passing", "passing"}), 2),
                            OwnProbe::none) == MachineState::healthy);
  CHECK(fc::lifecycle_state(with_checks(snap("started", {}, {"critical"}), 2), OwnProbe::none) ==
        MachineState::unhealthy);
  // No checks configured and none listed: healthy as before.
  CHECK(fc::lifecycle_state(snap("started"), OwnProbe::none) == MachineState::healthy);
}

TEST_CASE("lifecycle_state: a host that is not ok makes the machine unknown") {
  auto m = snap("started", {}, {"passing"});
  m.host_status = "unreachable";
  CHECK(fc::lifecycle_state(m, OwnProbe::passing) == MachineState::unknown);
  CHECK(fc::host_problem(m) == "host unreachable");
  m.host_status = "unknown";
  CHECK(fc::lifecycle_state(m, OwnProbe::none) == MachineState::unknown);
  CHECK(fc::host_problem(m) == "host status unknown");
  m.host_status = "ok";
  CHECK(fc::lifecycle_state(m, OwnProbe::none) == MachineState::healthy);
  CHECK(fc::host_problem(m).empty());
  m.host_status = "";  // not sent: taken as ok
  CHECK(fc::lifecycle_state(m, OwnProbe::none) == MachineState::healthy);
  // Last heard running or on its way: unknown. Last heard asleep: still asleep, so an app
  // scaled to zero on a host that went away is not paged as awake with none healthy.
  for (const char* running : {"starting", "stopping", "replacing"}) {
    auto r = snap(running);
    r.host_status = "unreachable";
    CHECK(fc::lifecycle_state(r, OwnProbe::none) == MachineState::unknown);
  }
  for (const char* asleep : {"stopped", "suspended", "created"}) {
    auto a = snap(asleep);
    a.host_status = "unreachable";
    CHECK(fc::lifecycle_state(a, OwnProbe::none) == fc::base_state(asleep));
  }
  fc::AppFleet fleet(limits());
  auto a = snap("stopped");
  a.id = "m1";
  a.host_status = "unknown";
  CHECK(fleet.observe({a}, {}, t0).asleep);
}

TEST_CASE("lifecycle_state: a cordoned started machine is started, never healthy") {
  auto m = snap("started", {}, {"passing"});
  m.cordoned = true;
  CHECK(fc::lifecycle_state(m, OwnProbe::none) == MachineState::started);
  CHECK(fc::lifecycle_state(m, OwnProbe::passing) == MachineState::started);
  auto stopped = snap("stopped");
  stopped.cordoned = true;
  CHECK(fc::lifecycle_state(stopped, OwnProbe::none) == MachineState::stopped);
}

TEST_CASE("probe_eligible, state_reason and host_lost: one judgement for the daemon and check") {
  auto m = snap("started", {}, {"passing"});
  CHECK(fc::probe_eligible(m));
  CHECK(fc::state_reason(m, fc::lifecycle_state(m, OwnProbe::none)).empty());
  auto drained = m;
  drained.cordoned = true;
  CHECK_FALSE(fc::probe_eligible(drained));
  CHECK(fc::state_reason(drained, fc::lifecycle_state(drained, OwnProbe::none)) == "cordoned");
  CHECK_FALSE(fc::host_lost(MachineState::started, "cordoned"));
  auto lost = m;
  lost.host_status = "unreachable";
  CHECK_FALSE(fc::probe_eligible(lost));
  const auto s = fc::lifecycle_state(lost, OwnProbe::none);
  CHECK(fc::host_lost(s, fc::state_reason(lost, s)));
  CHECK_FALSE(fc::host_lost(MachineState::unknown, ""));  // a state string flywatch does not know
  CHECK_FALSE(fc::probe_eligible(snap("stopped")));
  CHECK_FALSE(fc::probe_eligible(snap("starting")));
}

TEST_CASE("to_string(OwnProbe): the status API's probe words") {
  CHECK(fc::to_string(OwnProbe::none) == "none");
  CHECK(fc::to_string(OwnProbe::pending) == "pending");
  CHECK(fc::to_string(OwnProbe::passing) == "passing");
  CHECK(fc::to_string(OwnProbe::failing) == "failing");
}
