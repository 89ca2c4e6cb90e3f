// MachineAlertState: the latched machine conditions.
#include <doctest.h>

#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "core/machine_alert_state.hpp"

using namespace flywatch::core;
using namespace std::chrono_literals;
using time_point = std::chrono::system_clock::time_point;

namespace {

const time_point t0 = std::chrono::sys_days{std::chrono::year{2026} / 11 / 27};

}  // namespace

TEST_CASE("MachineAlertState latches") {
  const AlertRules rules;
  MachineAlertState m;
  MachineUpdate u;

  SUBCASE("OOM exit fires even when healthy again in the same poll; healthy later clears") {
    u.exits.push_back({137, true, t0});
    m.observe(u, MachineState::healthy);
    CHECK(m.failed());
    CHECK(m.oom_killed());
    m.observe({}, MachineState::healthy);
    CHECK_FALSE(m.failed());
  }
  SUBCASE("failed state, then gone") {
    m.observe({}, MachineState::failed);
    CHECK(m.failed());
    const auto live = m.conditions(rules, "app", "m1", "iad");
    REQUIRE(live.size() == 4);
    CHECK(live[2].labels.at("alertname") == "MachineFailed");
    CHECK(live[2].active);
    for (const auto& c : m.conditions(rules, "app", "m1", "iad", true)) CHECK_FALSE(c.active);
  }
  SUBCASE("stuck until a transition") {
    u.stuck = StuckMachine{MachineState::starting, t0};
    m.observe(u, MachineState::starting);
    CHECK(m.stuck());
    m.observe({}, MachineState::starting);
    CHECK(m.stuck());
    MachineUpdate moved;
    moved.transitions.push_back({MachineState::starting, MachineState::started, t0 + 6min});
    m.observe(moved, MachineState::started);
    CHECK_FALSE(m.stuck());
  }
  SUBCASE("slow cold start until one within the SLO") {
    ColdStartEpisode slow;
    slow.slow = true;
    u.slow = slow;
    m.observe(u, MachineState::started);
    CHECK(m.cold_start_slow());
    MachineUpdate done;
    done.cold_starts.push_back(slow);
    m.observe(done, MachineState::healthy);
    CHECK(m.cold_start_slow());  // the slow one finishing does not clear it
    MachineUpdate fast;
    fast.cold_starts.push_back(ColdStartEpisode{});
    m.observe(fast, MachineState::healthy);
    CHECK_FALSE(m.cold_start_slow());
  }
  SUBCASE("unhealthy maps to MachineUnhealthy; restore re-arms latches") {
    m.observe({}, MachineState::unhealthy);
    CHECK(m.conditions(rules, "app", "m1", "iad")[0].active);
    m.restore(true, false, true);
    CHECK(m.stuck());
    CHECK(m.cold_start_slow());
    CHECK_FALSE(m.failed());
  }
}

TEST_CASE("MachineUnhealthy covers a machine whose host is unreachable, with the reason") {
  const AlertRules rules;
  const auto host = rules.machine_unhealthy_condition("app", "m1", "iad", MachineState::unknown,
                                                      "host unreachable");
  CHECK(host.active);
  CHECK(host.annotations.at("description").find("host unreachable") != std::string::npos);
  // An unknown state string flywatch does not know is not a page.
  CHECK_FALSE(rules.machine_unhealthy_condition("app", "m1", "iad", MachineState::unknown).active);
  CHECK_FALSE(rules.machine_unhealthy_condition("app", "m1", "iad", MachineState::started,
                                                "cordoned").active);

  MachineAlertState m;
  m.observe({}, MachineState::unknown, "host unreachable");
  CHECK(m.conditions(rules, "app", "m1", "iad")[0].active);
  m.observe({}, MachineState::healthy, "");  // the host is back
  CHECK_FALSE(m.conditions(rules, "app", "m1", "iad")[0].active);
}

TEST_CASE("MachineStuck names Fly's `created` state") {
  const AlertRules rules;
  MachineAlertState m;
  MachineUpdate u;
  u.stuck = StuckMachine{MachineState::stopped, t0, "created"};
  m.observe(u, MachineState::stopped);
  const auto c = m.conditions(rules, "app", "m1", "iad")[1];
  CHECK(c.active);
  CHECK(c.annotations.at("description").find("has been created longer") != std::string::npos);
}

TEST_CASE("MachineStuck for `created` resolves when the machine leaves it without a transition") {
  // created and stopped are both the lifecycle state `stopped`: no transition clears the alert.
  const AlertRules rules;
  MachineLifecycle lc;
  MachineSnapshot m;
  m.id = "m1";
  m.state = "created";
  MachineEvent created;
  created.type = "launch";
  created.status = "created";
  created.timestamp_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>((t0 - 1h).time_since_epoch()).count();
  m.events = {created};
  MachineAlertState alert;
  auto u = lc.observe(m, OwnProbe::none, t0);
  alert.observe(u, lc.state());
  CHECK(u.stuck);
  CHECK(alert.conditions(rules, "app", "m1", "iad")[1].active);
  m.state = "stopped";
  u = lc.observe(m, OwnProbe::none, t0 + 10s);
  CHECK(u.transitions.empty());
  CHECK(u.unstuck);
  alert.observe(u, lc.state());
  CHECK_FALSE(alert.conditions(rules, "app", "m1", "iad")[1].active);
}
