// The built-in alert rules: defaults, labels, severities and condition tables.
#include <doctest.h>

#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "alert_trace.hpp"
#include "core/alert_book.hpp"
#include "core/alert_rules.hpp"

using namespace flywatch::core;
using namespace std::chrono_literals;
using time_point = std::chrono::system_clock::time_point;

namespace {

const time_point t0 = flywatch::test::alert_t0;
using flywatch::test::append;
using flywatch::test::secs;
using flywatch::test::trace;

}  // namespace

TEST_CASE("rule defaults, labels and severities") {
  const AlertRules r;
  CHECK(r.repeat_interval == 4h);
  CHECK(r.cert_expiry_warning == 14 * 24h);
  CHECK(r.flapping.high_percent == doctest::Approx(30.0));
  CHECK(r.flapping.low_percent == doctest::Approx(25.0));
  CHECK(r.machine_unhealthy.for_duration == 1min);
  CHECK(r.app_no_healthy_machines.for_duration == 1min);
  CHECK(r.target_down.for_duration == 0ms);

  const FlappingDetector calm;
  struct Expect { AlertCondition c; const char* name; const char* severity; };
  const Expect table[] = {
      {r.target_down_condition("medio", TargetState::down), "TargetDown", "critical"},
      {r.target_flapping_condition("medio", calm), "TargetFlapping", "warning"},
      {r.cert_expiring_soon_condition("medio", t0, t0), "CertExpiringSoon", "warning"},
      {r.machine_unhealthy_condition("app", "m", "iad", MachineState::unhealthy), "MachineUnhealthy", "warning"},
      {r.machine_stuck_condition("app", "m", "iad", true, MachineState::starting), "MachineStuck", "warning"},
      {r.machine_failed_condition("app", "m", "iad", true, false), "MachineFailed", "critical"},
      {r.cold_start_slow_condition("app", "m", "iad", true), "ColdStartSlow", "warning"},
      {r.app_no_healthy_machines_condition("app", AppPresence::awake, 0, false, false), "AppNoHealthyMachines", "critical"},
  };
  for (const auto& e : table) {
    CAPTURE(e.name);
    CHECK(e.c.labels.at("alertname") == e.name);
    CHECK(e.c.labels.at("severity") == e.severity);
    CHECK_FALSE(e.c.annotations.at("summary").empty());
    CHECK_FALSE(e.c.annotations.at("description").empty());
  }
  CHECK(table[0].c.labels == AlertLabels{{"alertname", "TargetDown"}, {"severity", "critical"}, {"target", "medio"}});
  CHECK(table[4].c.labels ==
        AlertLabels{{"alertname", "MachineStuck"}, {"severity", "warning"}, {"app", "app"}, {"machine", "m"}, {"region", "iad"}});
  CHECK(table[7].c.labels == AlertLabels{{"alertname", "AppNoHealthyMachines"}, {"severity", "critical"}, {"app", "app"}});
  CHECK(table[0].c.annotations.at("description").find("timeout") == std::string::npos);
  CHECK(r.target_down_condition("medio", TargetState::down, "timeout").annotations.at("description").find("timeout") !=
        std::string::npos);

  AlertRules configured;
  configured.target_down.severity = Severity::warning;
  configured.machine_failed.enabled = false;
  CHECK(configured.target_down_condition("medio", TargetState::down).labels.at("severity") == "warning");
  CHECK_FALSE(configured.machine_failed_condition("app", "m", "iad", true, true).active);
}

TEST_CASE("condition tables: target, cert, app") {
  const AlertRules r;
  CHECK(r.target_down_condition("x", TargetState::down).active);
  CHECK_FALSE(r.target_down_condition("x", TargetState::up).active);
  CHECK_FALSE(r.target_down_condition("x", TargetState::unknown).active);

  struct Cert { std::optional<time_point> not_after; bool active; };
  const Cert certs[] = {
      {std::nullopt, false}, {t0 + 15 * 24h, false}, {t0 + 14 * 24h, false},
      {t0 + 14 * 24h - 1s, true}, {t0 + 1h, true}, {t0 - 24h, true},
  };
  for (const auto& c : certs) {
    CAPTURE(c.not_after.has_value() ? secs(*c.not_after) : -1);
    CHECK(r.cert_expiring_soon_condition("x", c.not_after, t0).active == c.active);
  }

  // Asleep while firing: still firing (sleep is no evidence of health) until a machine is
  // healthy; no machines at all: resolved.
  using P = AppPresence;
  struct App { P presence; int healthy; bool wake_failed; bool firing; bool active; };
  const App apps[] = {{P::awake, 0, false, false, true},        {P::awake, 1, false, false, false},
                      {P::asleep, 0, false, false, false},      {P::asleep, 0, true, false, true},
                      {P::awake, 2, true, false, true},         {P::asleep, 0, false, true, true},
                      {P::awake, 1, false, true, false},        {P::awake, 0, false, true, true},
                      {P::no_machines, 0, false, true, false},  {P::no_machines, 0, false, false, false},
                      {P::no_machines, 0, true, false, true}};
  for (const auto& a : apps) {
    CAPTURE(static_cast<int>(a.presence));
    CAPTURE(a.firing);
    CHECK(r.app_no_healthy_machines_condition("x", a.presence, a.healthy, a.wake_failed, a.firing)
              .active == a.active);
  }
  CHECK(r.app_no_healthy_machines_condition("x", P::asleep, 0, false, true)
            .annotations.at("description") == "App x went to sleep with none of its machines healthy");

  // AppNoHealthyMachines needs one minute.
  AlertBook book;
  std::vector<AlertEvent> events;
  for (int s = 0; s <= 90; s += 15) {
    append(events, book.observe(r.app_no_healthy_machines_condition("x", AppPresence::awake, 0, false, false), t0 + std::chrono::seconds(s)));
  }
  CHECK(trace(events) == "firing@60");
}

TEST_CASE("AlertRules::rule finds each built-in alert's settings, and nothing else") {
  AlertRules rules;
  std::set<const AlertRule*> seen;
  for (auto name : alert_names) {
    const AlertRule* r = std::as_const(rules).rule(name);
    REQUIRE(r != nullptr);
    seen.insert(r);
  }
  CHECK(seen.size() == alert_names.size());
  CHECK(rules.rule(alert_app_no_healthy_machines) == &rules.app_no_healthy_machines);
  CHECK(rules.rule(alert_target_flapping) == &rules.target_flapping);
  CHECK(rules.rule("TargetDwn") == nullptr);
}
