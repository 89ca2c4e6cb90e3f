// AlertCenter with `alerts.inhibit` (DESIGN §7 "one outage, one page"): what reaches the
// publisher when an app loses its database (Medio's db_down), with the default rules and with
// inhibition off; an alert released while still firing, or paged before its source; a window's
// held alert that becomes inhibited; restore after a restart; a reload changing the rules; the
// log line, the counter and the status listing.
#include <doctest.h>

#include <map>
#include <string>
#include <vector>

#include "center_rig.hpp"

using namespace flywatch;
using namespace std::chrono_literals;
using std::chrono::system_clock;
using Kind = core::AlertEventKind;
using test::CenterRig;

namespace {

/// Medio's backend: app "medio" with machines m1 (iad) and m2 (ams), its target "be-t" probed
/// through them; MachineUnhealthy and AppNoHealthyMachines fire at once.
struct Medio {
  CenterRig rig;
  core::AppFleet fleet;
  std::map<std::string, std::string> regions{{"m1", "iad"}, {"m2", "ams"}};

  Medio() {
    rig.targets = {"be-t"};
    rig.apps = {"medio"};
    rig.bound = {"be-t"};
    rig.owners.target_app = {{"be-t", "medio"}};
    rig.cfg.rules.machine_unhealthy.for_duration = 0ms;
    rig.cfg.rules.app_no_healthy_machines.for_duration = 0ms;
  }

  /// One evaluation: each machine started with its own probe passing (true) or failing; the
  /// target is down when every machine fails.
  void observe(bool m1_ok, bool m2_ok) {
    const auto now = system_clock::now();
    const auto probe = [](bool ok) { return ok ? core::OwnProbe::passing : core::OwnProbe::failing; };
    auto update = fleet.observe({test::started_machine("m1", "iad"), test::started_machine("m2", "ams")},
                                {{"m1", probe(m1_ok)}, {"m2", probe(m2_ok)}}, now);
    engine::AlertCenter::FleetVerdicts v;
    v.target = "be-t";
    v.target_down = !m1_ok && !m2_ok;
    rig.center.observe_fleet("medio", update, fleet, regions, v, now);
  }

  /// One evaluation with both machines stopped by Fly's proxy: the app is asleep.
  void observe_asleep() {
    const auto now = system_clock::now();
    auto stopped = [](const std::string& id, const std::string& region) {
      auto m = test::started_machine(id, region);
      m.state = "stopped";
      return m;
    };
    auto update = fleet.observe({stopped("m1", "iad"), stopped("m2", "ams")}, {}, now);
    REQUIRE(update.asleep);
    engine::AlertCenter::FleetVerdicts v;
    v.target = "be-t";
    rig.center.observe_fleet("medio", update, fleet, regions, v, now);
  }

  /// "alertname[/machine or /target]".
  static std::string key(const core::Alert& a) {
    std::string k(a.name());
    for (const char* l : {"machine", "target"}) {
      if (auto it = a.labels.find(l); it != a.labels.end()) k += "/" + it->second;
    }
    return k;
  }

  /// Every published event as "kind key", in order.
  std::vector<std::string> sent() const {
    std::vector<std::string> out;
    for (const auto& p : rig.published) {
      for (const auto& e : p.events) {
        out.push_back(std::string(core::to_string(e.kind)) + " " + key(e.alert));
      }
    }
    return out;
  }

  /// The listing's state by key.
  std::map<std::string, std::string> states() const {
    std::map<std::string, std::string> out;
    for (const auto& a : rig.center.listing()) {
      out[key(a.alert)] = std::string(a.state);
    }
    return out;
  }
};

using Sent = std::vector<std::string>;
using States = std::map<std::string, std::string>;

}  // namespace

TEST_CASE("inhibit: db_down pages once for the app; the rest is tracked, counted, logged once") {
  Medio m;
  m.rig.apply();
  m.observe(true, true);
  CHECK(m.sent().empty());

  m.observe(false, false);
  CHECK(m.sent() == Sent{"firing AppNoHealthyMachines"});
  CHECK(m.states() == States{{"AppNoHealthyMachines", "firing"},
                             {"MachineUnhealthy/m1", "inhibited"},
                             {"MachineUnhealthy/m2", "inhibited"},
                             {"TargetDown/be-t", "inhibited"}});
  // Tracked: counted as firing, and as inhibited once each.
  CHECK(m.rig.firing_metric("MachineUnhealthy") == 2);
  CHECK(m.rig.firing_metric("TargetDown") == 1);
  CHECK(m.rig.inhibited_metric("MachineUnhealthy") == 2);
  CHECK(m.rig.inhibited_metric("TargetDown") == 1);
  CHECK(m.rig.inhibited_metric("AppNoHealthyMachines") == 0);
  CHECK(m.rig.inhibited_metric("ColdStartSlow") == 0);  // every name's series exists
  const auto lines = m.rig.log_lines({"msg=\"alert inhibited\""});
  CHECK(lines.size() == 3);
  const auto td = m.rig.log_lines({"msg=\"alert inhibited\"", "alertname=TargetDown",
                                   "target=be-t", "by=AppNoHealthyMachines", "level=info"});
  REQUIRE(td.size() == 1);
  CHECK(td[0].find("app=") == std::string::npos);  // its labels as they are: no app added
  CHECK(m.rig.log_lines({"msg=\"alert inhibited\"", "alertname=MachineUnhealthy", "app=medio",
                         "machine=m2", "region=ams", "by=AppNoHealthyMachines"})
            .size() == 1);
  // The listing names the source and keeps the labels unchanged.
  for (const auto& a : m.rig.center.listing()) {
    if (a.state != "inhibited") continue;
    CHECK_FALSE(a.notified);
    REQUIRE(a.inhibited_by);
    CHECK(a.inhibited_by->at("alertname") == "AppNoHealthyMachines");
    CHECK(a.inhibited_by->at("app") == "medio");
  }
  // Persisted as firing, never notified.
  CHECK(m.rig.center.state().size() == 4);
  CHECK(m.rig.center.notified_firing().size() == 1);

  m.observe(false, false);  // still down: nothing new, not logged again
  CHECK(m.sent().size() == 1);
  CHECK(m.rig.log_lines({"msg=\"alert inhibited\""}).size() == 3);

  m.observe(true, true);
  CHECK(m.sent() == Sent{"firing AppNoHealthyMachines", "resolved AppNoHealthyMachines"});
  CHECK(m.rig.center.listing().empty());
  for (const char* name : {"MachineUnhealthy", "TargetDown", "AppNoHealthyMachines"}) {
    CHECK(m.rig.firing_metric(name) == 0);
  }
  CHECK(m.rig.log_lines({"msg=\"alert resolved\""}).size() == 4);
}

TEST_CASE("inhibit: [] sends every page of the outage") {
  Medio m;
  m.rig.cfg.inhibit = {};
  m.rig.apply();
  m.observe(false, false);
  CHECK(m.sent() == Sent{"firing MachineUnhealthy/m1", "firing MachineUnhealthy/m2",
                         "firing AppNoHealthyMachines", "firing TargetDown/be-t"});
  CHECK(m.rig.log_lines({"msg=\"alert inhibited\""}).empty());
  CHECK(m.rig.inhibited_metric("MachineUnhealthy") == 0);
  m.observe(true, true);
  CHECK(m.sent().size() == 8);
}

TEST_CASE("inhibit: an alert still firing release_after after its source clears is paged then") {
  Medio m;
  m.rig.cfg.inhibit[0].release_after = 150ms;
  m.rig.apply();
  m.observe(false, false);
  REQUIRE(m.sent() == Sent{"firing AppNoHealthyMachines"});

  // m1 heals: the app has a healthy machine again, the target answers; m2 is still unhealthy,
  // and stays inhibited for release_after.
  const auto cleared = system_clock::now();
  m.observe(true, false);
  CHECK(m.sent() == Sent{"firing AppNoHealthyMachines", "resolved AppNoHealthyMachines"});
  CHECK(m.states().at("MachineUnhealthy/m2") == "inhibited");
  REQUIRE(m.rig.run_until([&] { return m.sent().size() == 3; }));
  CHECK(system_clock::now() - cleared >= 150ms);
  CHECK(m.sent().back() == "firing MachineUnhealthy/m2");
  CHECK(m.rig.log_lines({"msg=\"alert firing\"", "machine=m2"}).size() == 1);
  CHECK(m.states() == States{{"MachineUnhealthy/m2", "firing"}});

  m.observe(true, true);
  CHECK(m.sent().back() == "resolved MachineUnhealthy/m2");
  CHECK(m.sent().size() == 4);  // neither m1's nor TargetDown's resolve: never paged
}

TEST_CASE("inhibit: paged before its source, an alert's repeats stop; its resolve is sent") {
  Medio m;
  m.rig.cfg.repeat_interval = 150ms;
  m.rig.apply();
  m.observe(false, true);  // m1 alone: nothing explains it yet
  REQUIRE(m.sent() == Sent{"firing MachineUnhealthy/m1"});

  m.observe(false, false);
  CHECK(m.sent() == Sent{"firing MachineUnhealthy/m1", "firing AppNoHealthyMachines"});
  CHECK(m.rig.log_lines({"msg=\"alert inhibited\"", "machine=m1"}).size() == 1);
  CHECK(m.states().at("MachineUnhealthy/m1") == "inhibited");
  for (const auto& a : m.rig.center.listing()) {
    if (a.alert.labels.contains("machine") && a.alert.labels.at("machine") == "m1") {
      CHECK(a.notified);
    }
  }

  m.rig.run_for(400ms);  // the source repeats; m1 does not
  CHECK(m.rig.events(Kind::repeat, core::alert_app_no_healthy_machines).size() >= 1);
  CHECK(m.rig.events(Kind::repeat, core::alert_machine_unhealthy).empty());

  m.observe(true, true);
  const auto resolved = m.rig.events(Kind::resolved, core::alert_machine_unhealthy);
  REQUIRE(resolved.size() == 1);
  CHECK(resolved[0].alert.labels.at("machine") == "m1");
  CHECK(m.rig.events(Kind::resolved, core::alert_app_no_healthy_machines).size() == 1);
  CHECK(m.rig.events(Kind::firing, core::alert_machine_unhealthy).size() == 1);
}

TEST_CASE("inhibit: an alert held by a window and then inhibited is not paged when the window ends") {
  Medio m;
  const auto now = system_clock::now();
  m.rig.targets = {"be-t", "a"};
  m.rig.owners.target_app["a"] = "medio";  // another target of the app, probed on its own
  m.rig.cfg.maintenance = {test::window("deploy", now - 1min, now + 200ms, {"a"})};
  m.rig.cfg.inhibit[0].release_after = 150ms;
  m.rig.apply();
  auto a = CenterRig::target("a");
  m.rig.probe(*a, false);
  CHECK(m.states() == States{{"TargetDown/a", "held"}});

  m.observe(false, true);  // MachineUnhealthy/m1 only
  m.observe(false, false);
  CHECK(m.states().at("TargetDown/a") == "inhibited");
  m.rig.run_for(500ms);  // the window ends
  CHECK(m.rig.events(Kind::firing, core::alert_target_down).empty());

  m.observe(true, true);  // the source clears; "a" is still down: paged after release_after
  CHECK(m.rig.events(Kind::firing, core::alert_target_down).empty());
  REQUIRE(m.rig.run_until([&] { return !m.rig.events(Kind::firing, core::alert_target_down).empty(); }));
  const auto firing = m.rig.events(Kind::firing, core::alert_target_down);
  REQUIRE(firing.size() == 1);
  CHECK(firing[0].alert.labels == test::down_labels("a"));
}

TEST_CASE("inhibit: after a restart an alert never paged stays quiet while its source fires") {
  const auto unhealthy = core::machine_alert_labels(core::alert_machine_unhealthy,
                                                    core::Severity::warning, "medio", "m1", "iad");
  const auto source = core::app_alert_labels(core::alert_app_no_healthy_machines,
                                             core::Severity::critical, "medio");
  SUBCASE("with its source") {
    Medio m;
    m.rig.apply();
    m.rig.center.restore({test::persisted(unhealthy, false), test::persisted(source, true)}, 10s,
                         system_clock::now());
    CHECK(m.sent().empty());
    CHECK(m.states() == States{{"AppNoHealthyMachines", "firing"},
                               {"MachineUnhealthy/m1", "inhibited"}});
  }
  SUBCASE("its source gone meanwhile: paged once the grace has passed if still firing") {
    Medio m;
    m.rig.apply();
    m.rig.center.restore({test::persisted(unhealthy, false)}, 150ms, system_clock::now());
    m.observe(false, true);  // m1 still unhealthy, m2 healthy: no source
    CHECK(m.sent().empty());
    REQUIRE(m.rig.run_until([&] { return !m.sent().empty(); }));
    CHECK(m.sent() == Sent{"firing MachineUnhealthy/m1"});
  }
  SUBCASE("a past event its source explained, the source gone: stays explained") {
    const auto slow = core::machine_alert_labels(core::alert_cold_start_slow,
                                                 core::Severity::warning, "medio", "m1", "iad");
    Medio m;
    m.rig.apply();
    m.rig.center.restore({test::persisted(slow, false)}, 150ms, system_clock::now());
    m.observe(true, true);  // its latch is restored with the machine: still firing
    m.rig.run_for(400ms);   // past the grace
    CHECK(m.sent().empty());
    CHECK(m.states() == States{{"ColdStartSlow/m1", "inhibited"}});
    for (const auto& a : m.rig.center.listing()) {
      CHECK(a.inhibited_by == core::AlertLabels{{"alertname", "AppNoHealthyMachines"}});
    }
  }
}

TEST_CASE("inhibit: a reload turning inhibition off pages what is still firing, and back on") {
  Medio m;
  m.rig.apply();
  m.observe(false, false);
  REQUIRE(m.sent().size() == 1);

  m.rig.cfg.inhibit = {};
  m.rig.apply();
  CHECK(m.sent() == Sent{"firing AppNoHealthyMachines", "firing MachineUnhealthy/m1",
                         "firing MachineUnhealthy/m2", "firing TargetDown/be-t"});
  CHECK(m.states().at("TargetDown/be-t") == "firing");

  // Back on: the three are inhibited again (logged a second time), nothing is sent.
  m.rig.cfg.inhibit = core::default_inhibit_rules();
  m.rig.apply();
  CHECK(m.sent().size() == 4);
  CHECK(m.rig.log_lines({"msg=\"alert inhibited\""}).size() == 6);
  CHECK(m.states().at("TargetDown/be-t") == "inhibited");
  // Their firing was sent: their resolves are too.
  m.observe(true, true);
  CHECK(m.sent().size() == 8);
}

TEST_CASE("inhibit: an app whose machines are all destroyed while it fires resolves it") {
  Medio m;
  m.rig.apply();
  m.observe(false, false);
  REQUIRE(m.sent() == Sent{"firing AppNoHealthyMachines"});
  const auto now = system_clock::now();
  auto update = m.fleet.observe({}, {}, now);
  engine::AlertCenter::FleetVerdicts v;
  v.target = "be-t";
  m.rig.center.observe_fleet("medio", update, m.fleet, m.regions, v, now);
  CHECK(m.sent() == Sent{"firing AppNoHealthyMachines", "resolved AppNoHealthyMachines"});
}

TEST_CASE("inhibit: the app falling asleep mid-outage neither resolves nor pages it again") {
  Medio m;
  m.rig.cfg.inhibit[0].release_after = 0ms;
  m.rig.apply();
  m.observe(false, false);
  REQUIRE(m.sent() == Sent{"firing AppNoHealthyMachines"});
  m.observe_asleep();  // the proxy stops the idle, unhealthy machines
  m.observe_asleep();
  CHECK(m.sent() == Sent{"firing AppNoHealthyMachines"});
  CHECK(m.states().at("AppNoHealthyMachines") == "firing");
  m.observe(false, false);  // the next user wakes them; still no database
  CHECK(m.sent() == Sent{"firing AppNoHealthyMachines"});
  m.observe(true, true);
  CHECK(m.sent() == Sent{"firing AppNoHealthyMachines", "resolved AppNoHealthyMachines"});
}
