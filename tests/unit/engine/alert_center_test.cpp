// AlertCenter on its own io_context with real metrics and a logger writing to a temp file: what
// reaches the publisher for target results and fleet evaluations, maintenance windows holding
// and releasing, restore after a restart, retirement on apply.
#include <doctest.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "center_rig.hpp"

using namespace flywatch;
using namespace std::chrono_literals;
using std::chrono::system_clock;
using Kind = core::AlertEventKind;

using test::CenterRig;
using test::down_labels;
using test::persisted;
using test::started_machine;
using test::window;

TEST_CASE("AlertCenter: TargetDown fires once, resolves when up, and is counted and logged") {
  CenterRig rig;
  rig.apply();
  auto t = CenterRig::target("a");
  CHECK(rig.firing_metric("TargetDown") == 0);

  rig.probe(*t, false);
  rig.probe(*t, false);  // still down: nothing new
  const auto firing = rig.events(Kind::firing, core::alert_target_down);
  REQUIRE(firing.size() == 1);
  CHECK(firing[0].alert.labels == core::AlertLabels{{"alertname", "TargetDown"},
                                                    {"severity", "critical"},
                                                    {"target", "a"}});
  CHECK(rig.events(Kind::resolved, core::alert_target_down).empty());
  CHECK(rig.firing_metric("TargetDown") == 1);
  CHECK(rig.log_lines({"level=warn", "msg=\"alert firing\"", "alertname=TargetDown", "target=a"})
            .size() == 1);
  // What the publisher is told to persist: the firing alert, notified.
  REQUIRE(!rig.published.empty());
  REQUIRE(rig.published.back().state.size() == 1);
  CHECK(rig.published.back().state[0].notified);
  CHECK(rig.published.back().state[0].entry.alert.labels == down_labels("a"));

  rig.probe(*t, true);
  const auto resolved = rig.events(Kind::resolved, core::alert_target_down);
  REQUIRE(resolved.size() == 1);
  CHECK(resolved[0].alert.labels == down_labels("a"));
  CHECK(resolved[0].alert.ends_at.has_value());
  CHECK(rig.published.back().state.empty());
  CHECK(rig.firing_metric("TargetDown") == 0);
  CHECK(rig.log_lines({"msg=\"alert resolved\"", "alertname=TargetDown", "target=a"}).size() == 1);
  CHECK(rig.events(Kind::firing, core::alert_target_down).size() == 1);
}

TEST_CASE("AlertCenter: a global window holds firing and sends it when the window ends") {
  CenterRig rig;
  const auto now = system_clock::now();
  const auto end = now + 200ms;
  rig.cfg.maintenance = {window("deploy", now - 1min, end)};
  rig.apply();
  auto t = CenterRig::target("a");

  rig.probe(*t, false);
  CHECK(rig.events(Kind::firing, core::alert_target_down).empty());
  CHECK(rig.log_lines({"msg=\"alert held\"", "alertname=TargetDown", "window=deploy"}).size() == 1);
  CHECK(rig.log_lines({"msg=\"alert firing\""}).empty());
  // The state still says what is firing, marked as not yet notified.
  CHECK(rig.published.empty());
  REQUIRE(rig.center.state().size() == 1);
  CHECK_FALSE(rig.center.state()[0].notified);
  CHECK(rig.center.notified_firing().empty());

  rig.run_for(450ms);
  const auto firing = rig.events(Kind::firing, core::alert_target_down);
  REQUIRE(firing.size() == 1);
  CHECK(firing[0].alert.labels == down_labels("a"));
  CHECK(rig.published.back().at >= end);
  REQUIRE(rig.published.back().state.size() == 1);
  CHECK(rig.published.back().state[0].notified);
  CHECK(rig.log_lines({"msg=\"alert firing\"", "alertname=TargetDown"}).size() == 1);
  CHECK(rig.center.notified_firing().size() == 1);
}

TEST_CASE("AlertCenter: a resolve is never held; an alert never sent resolves silently") {
  CenterRig rig;
  rig.targets = {"a", "b"};
  rig.apply();
  auto a = CenterRig::target("a");
  auto b = CenterRig::target("b");
  rig.probe(*a, false);
  REQUIRE(rig.events(Kind::firing, core::alert_target_down).size() == 1);

  // A window opens over everything; a's page was sent before it.
  const auto now = system_clock::now();
  rig.cfg.maintenance = {window("upgrade", now - 1min, now + 1h)};
  rig.apply();
  CHECK(rig.events(Kind::resolved, core::alert_target_down).empty());  // not retired by the reload

  rig.probe(*b, false);  // held
  CHECK(rig.events(Kind::firing, core::alert_target_down).size() == 1);

  rig.probe(*a, true);
  const auto resolved = rig.events(Kind::resolved, core::alert_target_down);
  REQUIRE(resolved.size() == 1);
  CHECK(resolved[0].alert.labels == down_labels("a"));

  rig.probe(*b, true);  // b's firing never went out: nothing to resolve
  CHECK(rig.events(Kind::resolved, core::alert_target_down).size() == 1);
  CHECK(rig.events(Kind::firing, core::alert_target_down).size() == 1);
  CHECK(rig.firing_metric("TargetDown") == 0);
}

TEST_CASE("AlertCenter: a window scoped to another target does not hold") {
  CenterRig rig;
  rig.targets = {"a", "other"};
  const auto now = system_clock::now();
  rig.cfg.maintenance = {window("other-only", now - 1min, now + 1h, {"other"})};
  rig.apply();
  auto a = CenterRig::target("a");
  auto other = CenterRig::target("other");

  rig.probe(*a, false);
  const auto firing = rig.events(Kind::firing, core::alert_target_down);
  REQUIRE(firing.size() == 1);
  CHECK(firing[0].alert.labels == down_labels("a"));
  CHECK(rig.log_lines({"msg=\"alert held\""}).empty());

  rig.probe(*other, false);  // the scoped one is held
  CHECK(rig.events(Kind::firing, core::alert_target_down).size() == 1);
  CHECK(rig.log_lines({"msg=\"alert held\"", "target=other", "window=other-only"}).size() == 1);
}

TEST_CASE("AlertCenter: a restored, notified alert seen again is not paged again") {
  CenterRig rig;
  rig.apply();
  rig.center.restore({persisted(down_labels("a"), true)}, 10s, system_clock::now());
  CHECK(rig.firing_metric("TargetDown") == 1);
  CHECK(rig.center.notified_firing().size() == 1);
  auto t = CenterRig::target("a");

  rig.probe(*t, false);
  rig.probe(*t, false);
  CHECK(rig.events(Kind::firing, core::alert_target_down).empty());
  CHECK(rig.log_lines({"msg=\"alert firing\""}).empty());

  // Still known as sent: recovery resolves it.
  rig.probe(*t, true);
  const auto resolved = rig.events(Kind::resolved, core::alert_target_down);
  REQUIRE(resolved.size() == 1);
  CHECK(resolved[0].alert.labels == down_labels("a"));
  CHECK(rig.firing_metric("TargetDown") == 0);
}

TEST_CASE("AlertCenter: a restored alert not seen again within the grace is resolved by the timer") {
  CenterRig rig;
  rig.apply();
  const auto restored_at = system_clock::now();
  rig.center.restore({persisted(down_labels("gone"), true)}, 100ms, restored_at);
  rig.run_for(50ms);
  CHECK(rig.events(Kind::resolved, core::alert_target_down).empty());  // not before the grace

  rig.run_for(300ms);
  const auto resolved = rig.events(Kind::resolved, core::alert_target_down);
  REQUIRE(resolved.size() == 1);
  CHECK(resolved[0].alert.labels == down_labels("gone"));
  REQUIRE(resolved[0].alert.ends_at.has_value());
  CHECK(*resolved[0].alert.ends_at >= restored_at + 100ms);
  CHECK(rig.published.back().state.empty());
  CHECK(rig.firing_metric("TargetDown") == 0);
}

TEST_CASE("AlertCenter: a restored alert that was held is sent as firing when no window holds it") {
  CenterRig rig;
  rig.apply();  // no maintenance window any more
  const auto restored_at = system_clock::now();
  rig.center.restore({persisted(down_labels("a"), false)}, 150ms, restored_at);
  auto t = CenterRig::target("a");
  // Seen again, still down: paged once the restore grace has passed, not before, and not
  // again when seen again after that.
  rig.probe(*t, false);
  CHECK(rig.events(Kind::firing, core::alert_target_down).empty());
  REQUIRE(rig.run_until([&] { return !rig.events(Kind::firing, core::alert_target_down).empty(); }));
  CHECK(system_clock::now() - restored_at >= 150ms);
  rig.probe(*t, false);
  const auto firing = rig.events(Kind::firing, core::alert_target_down);
  REQUIRE(firing.size() == 1);
  CHECK(firing[0].alert.labels == down_labels("a"));
  REQUIRE(rig.published.back().state.size() == 1);
  CHECK(rig.published.back().state[0].notified);
  CHECK(rig.center.notified_firing().size() == 1);
}

TEST_CASE("AlertCenter: a restored alert never paged and not seen again is resolved quietly") {
  CenterRig rig;
  rig.apply();
  rig.center.restore({persisted(down_labels("a"), false)}, 150ms, system_clock::now());
  REQUIRE(rig.run_until([&] { return rig.firing_metric("TargetDown") == 0; }));
  rig.run_for(100ms);
  CHECK(rig.events(Kind::firing, core::alert_target_down).empty());
  CHECK(rig.events(Kind::resolved, core::alert_target_down).empty());
}

TEST_CASE("AlertCenter: apply() resolves alerts of removed targets and disabled rules") {
  CenterRig rig;
  rig.targets = {"a", "b"};
  rig.apply();
  auto a = CenterRig::target("a");
  auto b = CenterRig::target("b");
  rig.probe(*a, false);
  rig.probe(*b, false);
  REQUIRE(rig.events(Kind::firing, core::alert_target_down).size() == 2);

  SUBCASE("target removed") {
    rig.targets = {"b"};
    rig.apply();
    const auto resolved = rig.events(Kind::resolved, core::alert_target_down);
    REQUIRE(resolved.size() == 1);
    CHECK(resolved[0].alert.labels == down_labels("a"));
    CHECK(rig.firing_metric("TargetDown") == 1);
  }
  SUBCASE("rule disabled") {
    rig.cfg.rules.target_down.enabled = false;
    rig.apply();
    const auto resolved = rig.events(Kind::resolved, core::alert_target_down);
    REQUIRE(resolved.size() == 2);
    std::set<std::string> names;
    for (const auto& e : resolved) names.insert(e.alert.labels.at("target"));
    CHECK(names == std::set<std::string>{"a", "b"});
    CHECK(rig.firing_metric("TargetDown") == 0);
    rig.probe(*a, false);  // a disabled rule does not fire again
    CHECK(rig.events(Kind::firing, core::alert_target_down).size() == 2);
  }
}

TEST_CASE("AlertCenter: an unbound target flaps and TargetDown is held; a bound one never flaps") {
  CenterRig rig;
  rig.targets = {"free", "bound"};
  rig.apply();
  auto free = CenterRig::target("free");
  auto bound = CenterRig::target("bound");
  bound->bound = true;

  std::size_t down_events_when_flapping = 0;
  bool flapping_seen = false;
  bool ok = false;
  for (int i = 0; i < 20; ++i) {
    rig.probe(*free, ok);
    rig.probe(*bound, ok);
    ok = !ok;
    if (!flapping_seen && !rig.events(Kind::firing, core::alert_target_flapping).empty()) {
      flapping_seen = true;
      for (const auto& p : rig.published) {
        for (const auto& e : p.events) {
          if (e.alert.name() == core::alert_target_down && e.alert.labels.at("target") == "free") {
            ++down_events_when_flapping;
          }
        }
      }
      // Flapping is reached with changes in at most 7 of 20 slots (FlappingDetector's weights).
      CHECK(i < 10);
      CHECK(down_events_when_flapping > 0);  // TargetDown did page before flapping began
    }
  }
  const auto flapping = rig.events(Kind::firing, core::alert_target_flapping);
  REQUIRE(flapping.size() == 1);
  CHECK(flapping[0].alert.labels.at("target") == "free");
  CHECK(flapping[0].alert.labels.at("severity") == "warning");

  std::size_t free_down = 0;
  std::size_t bound_down = 0;
  for (const auto& p : rig.published) {
    for (const auto& e : p.events) {
      if (e.alert.name() != core::alert_target_down) continue;
      (e.alert.labels.at("target") == "free" ? free_down : bound_down)++;
    }
  }
  // While flapping, TargetDown of `free` sends nothing however often it goes down.
  CHECK(free_down == down_events_when_flapping);
  // The bound target's TargetDown comes from its app's machines (observe_fleet), never from
  // interleaved per-machine results, and it is never judged as flapping.
  CHECK(bound_down == 0);
  CHECK(rig.log_lines({"alertname=TargetFlapping", "target=bound"}).empty());
}

TEST_CASE("AlertCenter: MachineUnhealthy fires with its region and resolves with it when gone") {
  CenterRig rig;
  rig.watch_app_only(rig.cfg.rules.machine_unhealthy);

  core::AppFleet fleet;
  core::MachineSnapshot m = started_machine("m1", "ams");
  m.checks = {{"http", "critical", "connection refused", std::nullopt}};
  auto now = system_clock::now();
  auto update = fleet.observe({m}, {{"m1", core::OwnProbe::failing}}, now);
  REQUIRE(fleet.machines().at("m1").state() == core::MachineState::unhealthy);
  rig.center.observe_fleet("medio", update, fleet, {{"m1", "ams"}}, engine::AlertCenter::FleetVerdicts{}, now);

  const core::AlertLabels labels{{"alertname", "MachineUnhealthy"}, {"severity", "warning"},
                                 {"app", "medio"},                  {"machine", "m1"},
                                 {"region", "ams"}};
  const auto firing = rig.events(Kind::firing, core::alert_machine_unhealthy);
  REQUIRE(firing.size() == 1);
  CHECK(firing[0].alert.labels == labels);
  CHECK(rig.firing_metric("MachineUnhealthy") == 1);
  CHECK(rig.log_lines({"msg=\"alert firing\"", "alertname=MachineUnhealthy", "app=medio",
                       "machine=m1", "region=ams"})
            .size() == 1);

  // The machine is gone from the list; the regions known now no longer name it.
  now = system_clock::now();
  update = fleet.observe({}, {}, now);
  REQUIRE(fleet.machines().empty());
  rig.center.observe_fleet("medio", update, fleet, {}, engine::AlertCenter::FleetVerdicts{}, now);
  const auto resolved = rig.events(Kind::resolved, core::alert_machine_unhealthy);
  REQUIRE(resolved.size() == 1);
  CHECK(resolved[0].alert.labels == labels);
  CHECK(resolved[0].alert.fingerprint == firing[0].alert.fingerprint);
  CHECK(rig.firing_metric("MachineUnhealthy") == 0);
}

TEST_CASE("AlertCenter: a restored, held alert whose window has ended is sent when the grace has passed") {
  CenterRig rig;
  const auto now = system_clock::now();
  rig.cfg.maintenance = {window("done", now - 2h, now - 1h)};  // ended before the restart
  rig.apply();
  rig.center.restore({persisted(down_labels("a"), false)}, 150ms, system_clock::now());
  auto t = CenterRig::target("a");
  rig.probe(*t, false);  // still down
  // No further observation: the timer releases it.
  REQUIRE(rig.run_until([&] { return !rig.events(Kind::firing, core::alert_target_down).empty(); }));
  const auto firing = rig.events(Kind::firing, core::alert_target_down);
  REQUIRE(firing.size() == 1);
  CHECK(firing[0].alert.labels == down_labels("a"));
  CHECK(rig.center.notified_firing().size() == 1);
}

TEST_CASE("AlertCenter: CertExpiringSoon follows the certificate; a result without one changes nothing") {
  CenterRig rig;
  rig.apply();
  auto t = CenterRig::target("a");
  const auto probe_cert = [&](std::optional<system_clock::time_point> not_after) {
    core::Verdict v;
    v.success = true;
    core::ProbeResult r;
    r.http_status = 200;
    r.cert_not_after = not_after;
    CenterRig::observe(rig.center, *t, v, r);
  };
  probe_cert(system_clock::now() + 24h * 3);
  const auto firing = rig.events(Kind::firing, core::alert_cert_expiring_soon);
  REQUIRE(firing.size() == 1);
  CHECK(firing[0].alert.labels ==
        core::target_alert_labels(core::alert_cert_expiring_soon, core::Severity::warning, "a"));
  CHECK(rig.firing_metric("CertExpiringSoon") == 1);

  probe_cert(std::nullopt);  // e.g. plain HTTP answer or a failed handshake: nothing known
  CHECK(rig.events(Kind::resolved, core::alert_cert_expiring_soon).empty());

  probe_cert(system_clock::now() + 24h * 60);  // renewed
  CHECK(rig.events(Kind::resolved, core::alert_cert_expiring_soon).size() == 1);
  CHECK(rig.firing_metric("CertExpiringSoon") == 0);
}

// A TargetDown held by a window and then suppressed by flapping is the book's to reconcile:
// the window's end must not page it.
TEST_CASE("AlertCenter: the end of a window does not page a TargetDown that flapping suppresses") {
  CenterRig rig;
  const auto now = system_clock::now();
  const auto end = now + 200ms;
  rig.cfg.maintenance = {window("deploy", now - 1min, end)};
  rig.apply();
  auto t = CenterRig::target("a");
  // Up first, then alternating: flapping begins on an up result (the 6th change), right after
  // a down whose TargetDown went out (held by the window).
  bool ok = true;
  for (int i = 0; i < 7; ++i) {
    rig.probe(*t, ok);
    ok = !ok;
    CHECK(t->flapping().flapping() == (i >= 6));
  }
  rig.probe(*t, false);  // the target is down when the window ends
  REQUIRE(t->flapping().flapping());
  CHECK(rig.published.empty());  // everything held so far
  rig.run_for(450ms);
  // TargetFlapping is what pages for a flapping target; TargetDown stays suppressed.
  CHECK(rig.events(Kind::firing, core::alert_target_flapping).size() == 1);
  CHECK(rig.events(Kind::firing, core::alert_target_down).empty());
}

engine::AlertCenter::FleetVerdicts unjudged(std::set<std::string> ids, bool wake_failed = false) {
  engine::AlertCenter::FleetVerdicts v;
  v.undecided = std::move(ids);
  v.wake_failed = wake_failed;
  return v;
}

TEST_CASE("AlertCenter: AppNoHealthyMachines waits while a machine is still unjudged") {
  CenterRig rig;
  rig.watch_app_only(rig.cfg.rules.app_no_healthy_machines);

  core::AppFleet fleet;
  core::MachineSnapshot m = started_machine("m1", "ams");
  auto now = system_clock::now();
  // Started, own probe not answered yet: `started`, not healthy.
  auto update = fleet.observe({m}, {{"m1", core::OwnProbe::pending}}, now);
  REQUIRE(fleet.machines().at("m1").state() == core::MachineState::started);
  rig.center.observe_fleet("medio", update, fleet, {{"m1", "ams"}}, unjudged({"m1"}), now);
  CHECK(rig.events(Kind::firing, core::alert_app_no_healthy_machines).empty());

  // The same fleet with the machine judged (nothing undecided): the app has no healthy machine.
  rig.center.observe_fleet("medio", update, fleet, {{"m1", "ams"}}, {}, now);
  CHECK(rig.events(Kind::firing, core::alert_app_no_healthy_machines).size() == 1);

  // A failed wake-up pages even while machines are undecided.
  CenterRig woken;
  woken.targets = {};
  woken.apps = {"medio"};
  woken.cfg.rules.app_no_healthy_machines.for_duration = 0ms;
  woken.apply();
  woken.center.observe_fleet("medio", update, fleet, {{"m1", "ams"}}, unjudged({"m1"}, true), now);
  CHECK(woken.events(Kind::firing, core::alert_app_no_healthy_machines).size() == 1);
}

TEST_CASE("AlertCenter: after a restart, unjudged machines neither resolve nor re-page alerts") {
  CenterRig rig;
  rig.targets = {"web"};
  rig.apps = {"medio"};
  rig.apply();
  const auto unhealthy = core::machine_alert_labels(core::alert_machine_unhealthy,
                                                    core::Severity::warning, "medio", "m1", "ams");
  const auto no_healthy = core::app_alert_labels(core::alert_app_no_healthy_machines,
                                                 core::Severity::critical, "medio");
  const auto web_down = down_labels("web");
  auto now = system_clock::now();
  rig.center.restore({persisted(unhealthy, true), persisted(no_healthy, true),
                      persisted(web_down, true)},
                     10s, now);

  core::AppFleet fleet;
  core::MachineSnapshot m = started_machine("m1", "ams");
  // First poll after the restart: the machine's own probe has not answered.
  auto update = fleet.observe({m}, {{"m1", core::OwnProbe::pending}}, now);
  auto v = unjudged({"m1"});
  v.target = "web";  // target_down unknown
  rig.center.observe_fleet("medio", update, fleet, {{"m1", "ams"}}, v, now);
  CHECK(rig.event_count(core::alert_machine_unhealthy) == 0);
  CHECK(rig.event_count(core::alert_app_no_healthy_machines) == 0);
  CHECK(rig.event_count(core::alert_target_down) == 0);

  // The probes fail: every alert is confirmed, none is paged again.
  now = system_clock::now();
  update = fleet.observe({m}, {{"m1", core::OwnProbe::failing}}, now);
  REQUIRE(fleet.machines().at("m1").state() == core::MachineState::unhealthy);
  engine::AlertCenter::FleetVerdicts judged;
  judged.target = "web";
  judged.target_down = true;
  rig.center.observe_fleet("medio", update, fleet, {{"m1", "ams"}}, judged, now);
  CHECK(rig.event_count(core::alert_machine_unhealthy) == 0);
  CHECK(rig.event_count(core::alert_app_no_healthy_machines) == 0);
  CHECK(rig.event_count(core::alert_target_down) == 0);
  CHECK(rig.firing_metric("TargetDown") == 1);
  CHECK(rig.firing_metric("MachineUnhealthy") == 1);

  // A passing probe later resolves the target's TargetDown through the app.
  judged.target_down = false;
  rig.center.observe_fleet("medio", update, fleet, {{"m1", "ams"}}, judged, system_clock::now());
  CHECK(rig.events(Kind::resolved, core::alert_target_down).size() == 1);
}

TEST_CASE("AlertCenter: the state to persist is published once after a burst, and at stop()") {
  CenterRig rig;
  rig.targets = {"a", "b", "c"};
  rig.apply();
  auto a = CenterRig::target("a");
  auto b = CenterRig::target("b");
  auto c = CenterRig::target("c");
  for (auto* t : {a.get(), b.get(), c.get()}) rig.probe(*t, false);
  CHECK(rig.events(Kind::firing, core::alert_target_down).size() == 3);
  CHECK(rig.states.empty());  // not per event
  rig.run_for(engine::AlertCenter::state_delay + 150ms);
  REQUIRE(rig.states.size() == 1);
  REQUIRE(rig.states[0]);
  CHECK(rig.states[0]->size() == 3);
  rig.probe(*a, true);  // resolved: the state changes again
  rig.center.stop();    // published now, not after the delay
  REQUIRE(rig.states.size() == 2);
  REQUIRE(rig.states[1]);
  CHECK(rig.states[1]->size() == 2);
}

TEST_CASE("AlertCenter: a flapping target that a reload binds to an app stops flapping and pages") {
  CenterRig rig;
  rig.targets = {"web"};
  rig.apps = {"medio"};
  rig.apply();
  auto t = CenterRig::target("web");
  bool ok = false;
  for (int i = 0; i < 12; ++i) {
    rig.probe(*t, ok);
    ok = !ok;
  }
  REQUIRE(rig.events(Kind::firing, core::alert_target_flapping).size() == 1);
  REQUIRE(t->flapping().flapping());

  // The reload binds it: that must end TargetFlapping and free its TargetDown.
  t->bound = true;
  rig.bound = {"web"};
  rig.apply();
  rig.probe(*t, false);
  CHECK(rig.events(Kind::resolved, core::alert_target_flapping).size() == 1);
  CHECK(rig.firing_metric("TargetFlapping") == 0);

  core::AppFleet fleet;
  const auto now = system_clock::now();
  auto update = fleet.observe({started_machine("m1", "ams")}, {{"m1", core::OwnProbe::failing}}, now);
  engine::AlertCenter::FleetVerdicts v;
  v.target = "web";
  v.target_down = true;
  const auto fired_before = rig.events(Kind::firing, core::alert_target_down).size();
  rig.center.observe_fleet("medio", update, fleet, {{"m1", "ams"}}, v, now);
  // Down through the app: it pages (a suppressed TargetDown would send nothing and count 0).
  CHECK(rig.events(Kind::firing, core::alert_target_down).size() == fired_before + 1);
  CHECK(rig.firing_metric("TargetDown") == 1);
  v.target_down = false;
  rig.center.observe_fleet("medio", update, fleet, {{"m1", "ams"}}, v, system_clock::now());
  CHECK(rig.firing_metric("TargetDown") == 0);
}

TEST_CASE("AlertCenter: an alert listed twice in alerts.json is restored once") {
  CenterRig rig;
  rig.apply();
  auto twice = persisted(down_labels("a"), true);
  auto wrong_fp = twice;
  wrong_fp.entry.alert.fingerprint = "0000000000000000";  // not trusted: recomputed
  rig.center.restore({twice, wrong_fp}, 10s, system_clock::now());
  CHECK(rig.firing_metric("TargetDown") == 1);
  auto t = CenterRig::target("a");
  rig.probe(*t, true);  // up: one resolve, sent (it was notified), gauge back to 0
  CHECK(rig.events(Kind::resolved, core::alert_target_down).size() == 1);
  CHECK(rig.firing_metric("TargetDown") == 0);
}

TEST_CASE("AlertCenter: a machine on an unreachable host raises MachineUnhealthy with the reason") {
  CenterRig rig;
  rig.watch_app_only(rig.cfg.rules.machine_unhealthy);

  core::AppFleet fleet;
  core::MachineSnapshot m = started_machine("m1", "ams");
  auto now = system_clock::now();
  auto update = fleet.observe({m}, {}, now);
  rig.center.observe_fleet("medio", update, fleet, {{"m1", "ams"}}, {}, now);
  CHECK(rig.events(Kind::firing, core::alert_machine_unhealthy).empty());

  // The API still says started, from a host it cannot reach.
  m.host_status = "unreachable";
  now = system_clock::now();
  update = fleet.observe({m}, {}, now);
  REQUIRE(fleet.machines().at("m1").state() == core::MachineState::unknown);
  rig.center.observe_fleet("medio", update, fleet, {{"m1", "ams"}}, {}, now);
  const auto firing = rig.events(Kind::firing, core::alert_machine_unhealthy);
  REQUIRE(firing.size() == 1);
  CHECK(firing[0].alert.annotations.at("description").find("host unreachable") != std::string::npos);

  m.host_status = "ok";  // back
  now = system_clock::now();
  update = fleet.observe({m}, {}, now);
  rig.center.observe_fleet("medio", update, fleet, {{"m1", "ams"}}, {}, now);
  CHECK(rig.events(Kind::resolved, core::alert_machine_unhealthy).size() == 1);
}
