// The alerts: section through parse_config: good files with their values, bad files with their
// exact errors, and the defaults of a config without alerts:.
#include <doctest.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "core/alert_rules.hpp"
#include "fake_env.hpp"

namespace fs = std::filesystem;
using flywatch::config::AlertsConfig;
using flywatch::config::Config;
using flywatch::config::Millis;
using flywatch::config::parse_config;
using flywatch::config::SinkConfig;
using flywatch::config::SinkType;
using flywatch::config::test::fake_env;
using flywatch::config::test::slurp;
using flywatch::core::AlertRule;
using flywatch::core::AlertRules;
using flywatch::core::Severity;
using namespace std::chrono;
using namespace std::chrono_literals;

namespace {

Config load(const fs::path& p) { return parse_config(slurp(p), p.string(), fake_env()); }

bool same_rule(const AlertRule& a, const AlertRule& b) {
  return a.enabled == b.enabled && a.severity == b.severity && a.for_duration == b.for_duration;
}

/// True when every rule setting equals core::AlertRules' default, except repeat_interval.
bool default_rules(const AlertRules& r) {
  const AlertRules d;
  return same_rule(r.target_down, d.target_down) &&
         same_rule(r.target_flapping, d.target_flapping) &&
         r.flapping.high_percent == d.flapping.high_percent &&
         r.flapping.low_percent == d.flapping.low_percent &&
         same_rule(r.cert_expiring_soon, d.cert_expiring_soon) &&
         r.cert_expiry_warning == d.cert_expiry_warning &&
         same_rule(r.machine_unhealthy, d.machine_unhealthy) &&
         same_rule(r.machine_stuck, d.machine_stuck) &&
         same_rule(r.machine_failed, d.machine_failed) &&
         same_rule(r.cold_start_slow, d.cold_start_slow) &&
         same_rule(r.app_no_healthy_machines, d.app_no_healthy_machines);
}

/// The delivery settings a sink has when it writes none.
void check_default_delivery(const SinkConfig& s) {
  const SinkConfig d;
  CHECK(s.timeout == d.timeout);
  CHECK(s.retry_initial == d.retry_initial);
  CHECK(s.retry_max == d.retry_max);
  CHECK(s.resend_interval == d.resend_interval);
}

using Check = std::function<void(const Config&)>;

const std::map<std::string, Check>& good_checks() {
  static const std::map<std::string, Check> checks = {
      {"full.yaml",
       [](const Config& config) {
         const AlertsConfig& c = config.alerts;
         CHECK(c.repeat_interval == 2h);
         CHECK(c.rules.repeat_interval == 2h);
         CHECK(default_rules(c.rules));
         REQUIRE(c.sinks.size() == 4);
         const auto& hook = c.sinks[0];
         CHECK(hook.name == "oncall");
         CHECK(hook.type == SinkType::webhook);
         CHECK(hook.endpoint.host == "hooks.example.test");
         CHECK(hook.endpoint.port == 443);
         CHECK(hook.endpoint.target == "/flywatch");
         CHECK(hook.secret == "tok-SECRET-env-123");
         CHECK(hook.line == 12);
         REQUIRE(hook.endpoint.headers.size() == 1);
         CHECK(hook.endpoint.headers[0].first == "X-Team");
         CHECK(hook.severities == std::set<std::string>{"critical", "warning"});
         CHECK(hook.alertnames == std::set<std::string>{"TargetDown"});
         check_default_delivery(hook);
         CHECK(c.sinks[1].type == SinkType::alertmanager);
         CHECK(c.sinks[1].endpoint.port == 9093);
         CHECK(c.sinks[2].type == SinkType::pagerduty);
         CHECK(c.sinks[2].routing_key == "file-SECRET-token-456");
         CHECK(c.sinks[3].type == SinkType::slack);
         CHECK(c.sinks[3].secret.empty());
         REQUIRE(c.maintenance.size() == 2);
         const auto& weekly = c.maintenance[0];
         CHECK(weekly.weekly());
         CHECK(weekly.weekdays == 1u);  // Sunday
         CHECK(weekly.minute_of_day == 120);
         CHECK(weekly.duration == 120min);
         CHECK(weekly.apps == std::vector<std::string>{"medio-backend"});
         CHECK(weekly.targets.empty());
         const auto& once = c.maintenance[1];
         CHECK_FALSE(once.weekly());
         CHECK(*once.start == sys_days(year{2026} / December / 1) + 2h);
         CHECK(*once.end == sys_days(year{2026} / December / 1) + 3h + 30min);  // +01:00
         CHECK(once.targets == std::vector<std::string>{"medio-backend"});
         // The rest of the file is still there.
         REQUIRE(config.fly.has_value());
         CHECK(config.targets.size() == 1);
       }},
      {"minimal.yaml",
       [](const Config& config) {
         const AlertsConfig& c = config.alerts;
         CHECK(c.repeat_interval == 4h);
         CHECK(c.rules.repeat_interval == 4h);
         REQUIRE(c.sinks.size() == 1);
         CHECK(c.sinks[0].severities.empty());
         check_default_delivery(c.sinks[0]);
         CHECK(c.maintenance.empty());
       }},
      {"no_sinks.yaml",
       [](const Config& config) {
         CHECK(config.alerts.repeat_interval == 1h);
         CHECK(config.alerts.rules.repeat_interval == 1h);
         CHECK(config.alerts.sinks.empty());
         CHECK(config.alerts.maintenance.empty());
       }},
      {"null_sinks.yaml",
       [](const Config& config) {
         CHECK(config.alerts.sinks.empty());
         CHECK(config.alerts.maintenance.empty());
         CHECK(default_rules(config.alerts.rules));
       }},
      {"rules.yaml",
       [](const Config& config) {
         const AlertRules& r = config.alerts.rules;
         CHECK(config.alerts.repeat_interval == 30s);
         CHECK(r.repeat_interval == 30s);
         CHECK(r.target_down.enabled);
         CHECK(r.target_down.severity == Severity::warning);
         CHECK(r.target_down.for_duration == 30s);
         CHECK_FALSE(r.target_flapping.enabled);
         CHECK(r.target_flapping.severity == AlertRules{}.target_flapping.severity);
         CHECK(r.flapping.high_percent == 50.0);
         CHECK(r.flapping.low_percent == 12.5);
         CHECK(r.cert_expiring_soon.severity == Severity::critical);
         CHECK(r.cert_expiry_warning == hours(24 * 30));
         CHECK(r.machine_unhealthy.for_duration == 0ms);
         CHECK(r.machine_stuck.severity == Severity::info);
         CHECK(r.machine_stuck.for_duration == 24h);
         CHECK(same_rule(r.machine_failed, AlertRules{}.machine_failed));
         CHECK_FALSE(r.cold_start_slow.enabled);
         CHECK(r.app_no_healthy_machines.for_duration == 150s);
         CHECK(r.app_no_healthy_machines.severity ==
               AlertRules{}.app_no_healthy_machines.severity);
       }},
      {"rules_one_threshold.yaml",
       [](const Config& config) {
         const AlertRules& r = config.alerts.rules;
         CHECK(r.flapping.high_percent == 100.0);
         CHECK(r.flapping.low_percent == AlertRules{}.flapping.low_percent);
         CHECK(r.cert_expiry_warning == 1h);
         CHECK(same_rule(r.target_flapping, AlertRules{}.target_flapping));
       }},
      {"sink_delivery.yaml",
       [](const Config& config) {
         const auto& s = config.alerts.sinks;
         REQUIRE(s.size() == 3);
         CHECK(s[0].type == SinkType::alertmanager);
         CHECK(s[0].endpoint.host == "::1");
         CHECK(s[0].timeout == 2s);
         CHECK(s[0].retry_initial == 250ms);
         CHECK(s[0].retry_max == 1h);
         CHECK(s[0].resend_interval == 1s);
         CHECK(s[1].timeout == SinkConfig{}.timeout);
         CHECK(s[1].retry_initial == 1s);  // equal to max is allowed
         CHECK(s[1].retry_max == 1s);
         CHECK(s[2].routing_key == "tok-SECRET-env-123");
         CHECK(s[2].timeout == 5min);
         CHECK(s[2].retry_initial == 1min);
         CHECK(s[2].retry_max == SinkConfig{}.retry_max);
       }},
      {"inhibit.yaml",
       [](const Config& config) {
         const auto& i = config.alerts.inhibit;
         REQUIRE(i.size() == 2);
         CHECK(i[0].source == flywatch::core::AlertLabels{{"alertname", "AppNoHealthyMachines"},
                                                          {"severity", "critical"}});
         CHECK(i[0].targets == std::vector<std::string>{"MachineUnhealthy", "ColdStartSlow"});
         CHECK(i[0].equal == std::vector<std::string>{"app"});
         CHECK(i[0].release_after == std::chrono::seconds(45));
         CHECK(i[1].source == flywatch::core::AlertLabels{{"alertname", "TargetDown"}});
         CHECK(i[1].targets == std::vector<std::string>{"CertExpiringSoon"});
         CHECK(i[1].equal.empty());
         CHECK(i[1].release_after == std::chrono::milliseconds(0));
       }},
      {"inhibit_off.yaml", [](const Config& config) { CHECK(config.alerts.inhibit.empty()); }},
      {"maintenance_scope.yaml",
       [](const Config& config) {
         const auto& m = config.alerts.maintenance;
         REQUIRE(m.size() == 3);
         CHECK(m[0].targets == std::vector<std::string>{"api", "web"});
         CHECK(m[0].apps == std::vector<std::string>{"medio-backend", "medio-react-app"});
         CHECK(m[0].weekdays == ((1u << 1) | (1u << 5)));
         CHECK(m[0].minute_of_day == 23 * 60 + 30);
         CHECK(m[1].targets.empty());
         CHECK(m[1].apps == std::vector<std::string>{"medio-react-app"});
         CHECK(m[2].weekdays == (1u << 6));
         CHECK(m[2].targets.empty());
         CHECK(m[2].apps.empty());
       }},
  };
  return checks;
}

}  // namespace

TEST_CASE("alerts: every good file parses with the expected values") {
  flywatch::config::test::check_good_files("alerts/good", good_checks(), load);
}

TEST_CASE("alerts: every bad file is refused with its exact error, never showing a secret") {
  flywatch::config::test::check_bad_files("alerts/bad", 50, [](const fs::path& p) { load(p); });
}

TEST_CASE("alerts: a config without alerts: has no sinks and the default rules") {
  const Config c = parse_config("targets: []\n", "inline.yaml", fake_env());
  CHECK(c.alerts.sinks.empty());
  CHECK(c.alerts.maintenance.empty());
  CHECK(c.alerts.inhibit == flywatch::core::default_inhibit_rules());
  CHECK(default_rules(c.alerts.rules));
  CHECK(c.alerts.repeat_interval == 4h);  // DESIGN §7
  CHECK(c.alerts.rules.repeat_interval == c.alerts.repeat_interval);
  // An empty section is the same.
  const Config e = parse_config("alerts: {}\n", "inline.yaml", fake_env());
  CHECK(e.alerts.sinks.empty());
  CHECK(default_rules(e.alerts.rules));
  CHECK(e.alerts.repeat_interval == 4h);
}

TEST_CASE("alerts: maintenance may name targets and apps defined after alerts:") {
  const std::string text =
      "alerts:\n"
      "  maintenance:\n"
      "    - {name: w, weekly: {days: sun, at: \"01:00\", duration: 1h}, targets: t, apps: a}\n"
      "fly: {token: x, apps: [{name: a}]}\n"
      "targets: [{name: t, url: \"https://t.example/\"}]\n";
  const Config c = parse_config(text, "inline.yaml", fake_env());
  REQUIRE(c.alerts.maintenance.size() == 1);
  CHECK(c.alerts.maintenance[0].targets == std::vector<std::string>{"t"});
  CHECK(c.alerts.maintenance[0].apps == std::vector<std::string>{"a"});
}
